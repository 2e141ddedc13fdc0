/// Why an object store operation failed.
public struct ObjectStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kinds of failure, for callers that react differently to each.
    public enum Kind: String, Sendable, Hashable {
        /// There is no object under the key.
        case notFound
        /// The key is not acceptable (see `ObjectKey`), or escapes the store's root.
        case invalidKey
        /// The requested byte range does not lie within the object.
        case invalidRange
        /// The store refused the credentials or the operation.
        case accessDenied
        /// The store's URL or settings are wrong (bad URL, no bucket, missing credentials).
        case configuration
        /// A failure that may pass: a connection dropped, a timeout, a 5xx, S3's SlowDown.
        /// Operations are retried on it before it reaches the caller.
        case unavailable
        /// The store answered something that makes no sense (malformed XML, wrong size).
        case badResponse
        /// The body given to `put` failed or yielded a different size than announced.
        case badBody
        /// A local I/O error (disk full, permission denied).
        case io
    }

    /// What kind of failure this is.
    public var kind: Kind
    /// The key involved, when there is one.
    public var key: String?
    /// A sentence for people saying what went wrong.
    public var message: String

    /// A failure of `kind` on `key`.
    public init(_ kind: Kind, key: String? = nil, _ message: String) {
        self.kind = kind
        self.key = key
        self.message = message
    }

    /// Whether retrying the same operation later may succeed.
    public var isRetryable: Bool { kind == .unavailable }

    public var description: String {
        if let key { return "object store: \(kind.rawValue) (key \(key)): \(message)" }
        return "object store: \(kind.rawValue): \(message)"
    }
}
