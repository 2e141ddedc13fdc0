import NIOConcurrencyHelpers

/// A flag that can be set once, from any thread.
struct NIOLockedFlag: Sendable {
    private let box = NIOLockedValueBox(false)

    /// Sets the flag; true only for the caller that set it first.
    func setOnce() -> Bool {
        box.withLockedValue { isSet in
            defer { isSet = true }
            return !isSet
        }
    }

    /// Whether the flag is set.
    var isSet: Bool { box.withLockedValue { $0 } }
}
