/// Where a store keeps its objects, parsed from a store URL.
///
/// - `file:///absolute/root` — a directory on this machine;
/// - `s3://bucket/optional/prefix?endpoint=http://host:port&region=r&addressing=path|virtual`
///   — an S3-compatible bucket (the query holds connection settings, not identity);
/// - `memory://name` — a process-wide in-memory store, for tests.
///
/// `description` is the canonical form without the query: it identifies the objects
/// (a bucket and prefix, a directory) but not how to reach them, so it is what a
/// claim-check reference names.
public enum ObjectStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// A directory; `root` is absolute, without a trailing slash (except `/` itself).
    case fileSystem(root: String)
    /// An S3 bucket, with a key prefix that is empty or ends in `/`.
    case s3(bucket: String, prefix: String)
    /// A named in-memory store.
    case memory(name: String)

    /// The canonical URL: `file:///root`, `s3://bucket/prefix`, `memory://name`.
    public var description: String {
        switch self {
        case .fileSystem(let root): return "file://\(root)"
        case .s3(let bucket, let prefix): return prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix.dropLast())"
        case .memory(let name): return "memory://\(name)"
        }
    }

    /// The URL of the object under `key` in this location (what a reference record carries).
    public func url(of key: ObjectKey) -> String {
        switch self {
        case .fileSystem(let root): return root == "/" ? "file:///\(key.rawValue)" : "file://\(root)/\(key.rawValue)"
        case .s3(let bucket, let prefix): return "s3://\(bucket)/\(prefix)\(key.rawValue)"
        case .memory(let name): return "memory://\(name)/\(key.rawValue)"
        }
    }

    /// The key of `objectURL` in this location, or nil when the URL names something outside it.
    ///
    /// The remainder must itself be a valid key, so `..` cannot climb out of the location.
    public func key(ofObjectURL objectURL: String) -> ObjectKey? {
        let base: String
        switch self {
        case .fileSystem(let root): base = root == "/" ? "file:///" : "file://\(root)/"
        case .s3(let bucket, let prefix): base = "s3://\(bucket)/\(prefix)"
        case .memory(let name): base = "memory://\(name)/"
        }
        guard objectURL.hasPrefix(base) else { return nil }
        return try? ObjectKey(String(objectURL.dropFirst(base.count)))
    }
}
