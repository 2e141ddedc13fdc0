extension MemoryObjectStore {
    /// A kind of call made to a store, for faults and counts.
    public struct Operation: Hashable, Sendable, CustomStringConvertible {
        private enum Name: String { case put, get, head, delete, list }
        private let name: Name

        /// `put(_:body:options:)`.
        public static let put = Operation(name: .put)
        /// `get(_:range:)`.
        public static let get = Operation(name: .get)
        /// `head(_:)`.
        public static let head = Operation(name: .head)
        /// `delete(_:)`.
        public static let delete = Operation(name: .delete)
        /// `list(prefix:)`.
        public static let list = Operation(name: .list)

        public var description: String { name.rawValue }
    }

    /// A failure the store produces on purpose, a given number of times, for tests.
    ///
    /// Faults apply in the order they were injected: a call uses the first fault injected
    /// for its operation, and a fault is used up after `times` calls.
    public struct Fault: Sendable {
        /// The operation it fails.
        let operation: Operation
        /// How many bytes of the body pass before it fails, or nil to fail the call at once.
        let afterBytes: Int?
        /// How many more calls it fails.
        var times: Int
        /// The error the calls throw.
        let error: ObjectStoreError

        /// The next `times` calls of `operation` throw `error` at once, doing nothing else.
        /// For `list`, the listing's first page throws it.
        public static func failNext(_ operation: Operation, times: Int = 1, error: ObjectStoreError) -> Fault {
            Fault(operation: operation, afterBytes: nil, times: times, error: error)
        }

        /// The next `times` puts read their body until `afterBytes` bytes have come (or the
        /// body ends), then throw `error` and store nothing.
        public static func failPut(afterBytes: Int, times: Int = 1, error: ObjectStoreError) -> Fault {
            Fault(operation: .put, afterBytes: afterBytes, times: times, error: error)
        }

        /// The next `times` gets succeed, but their bodies throw `error` after yielding
        /// `afterBytes` bytes (or at their end, when they have fewer): a download that
        /// breaks part-way.
        public static func failGet(afterBytes: Int, times: Int = 1, error: ObjectStoreError) -> Fault {
            Fault(operation: .get, afterBytes: afterBytes, times: times, error: error)
        }
    }

    /// Makes the store produce `fault` (after the faults injected before it are used up).
    public func inject(_ fault: Fault) {
        state.withLockedValue { $0.faults.append(fault) }
    }

    /// Drops every fault not used up yet.
    public func removeFaults() {
        state.withLockedValue { $0.faults.removeAll() }
    }

    /// How many times `operation` was called on this store, failed calls included.
    public func count(of operation: Operation) -> Int {
        state.withLockedValue { $0.counts[operation, default: 0] }
    }
}
