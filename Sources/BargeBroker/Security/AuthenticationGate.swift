import NIOConcurrencyHelpers

/// Whether a connection's client has logged in (or, on a listener without
/// SASL, sent its first request): shared by the connection's decoder, which
/// bounds frames until then, its authentication deadline, and the handler
/// that opens it.
final class AuthenticationGate: Sendable {
    private let opened = NIOLockedValueBox(false)

    /// Whether the gate is open.
    var isOpen: Bool { opened.withLockedValue { $0 } }

    /// Opens the gate for good.
    func open() {
        opened.withLockedValue { $0 = true }
    }
}
