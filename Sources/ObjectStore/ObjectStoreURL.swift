import AsyncHTTPClient
import Foundation
import Logging

/// A store URL, parsed and checked: `file:///absolute/root`, `memory://name`, or
/// `s3://bucket[/prefix][?endpoint=URL&region=R&addressing=path|virtual&part-size=BYTES&parallelism=N]`.
///
/// An S3 URL names the bucket and prefix; the query holds how to reach them. Credentials
/// never go in the URL: they come from the environment or the AWS config files
/// (see `AWSCredentialsResolver`).
public struct ObjectStoreURL: Sendable, Hashable {
    /// Where the objects are.
    public let location: ObjectStoreLocation
    /// The query's settings (S3 only), by name.
    public let settings: [String: String]

    /// The settings an `s3://` URL's query may hold.
    public static let s3Settings: Set<String> = ["endpoint", "region", "addressing", "part-size", "parallelism"]

    /// Parses `text`.
    ///
    /// - Throws: `ObjectStoreError` `.configuration` saying what is wrong.
    public init(_ text: String) throws(ObjectStoreError) {
        func invalid(_ problem: String) -> ObjectStoreError {
            ObjectStoreError(.configuration, "store URL '\(text.prefix(200))': \(problem)")
        }
        guard let schemeEnd = text.range(of: "://") else {
            throw invalid("expected file:///path, s3://bucket/prefix or memory://name")
        }
        let scheme = text[..<schemeEnd.lowerBound]
        let rest = String(text[schemeEnd.upperBound...])
        let (path, query) = Self.split(rest)
        switch scheme {
        case "file":
            guard query == nil else { throw invalid("a file store takes no query") }
            guard path.hasPrefix("/") else { throw invalid("the root must be an absolute path (file:///srv/objects)") }
            guard !path.contains("\u{0}") else { throw invalid("the root contains a NUL byte") }
            var root = path
            while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
            location = .fileSystem(root: root)
            settings = [:]
        case "memory":
            guard query == nil else { throw invalid("a memory store takes no query") }
            guard !path.isEmpty, path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw invalid("the name must be letters, digits, '.', '_' or '-'")
            }
            location = .memory(name: path)
            settings = [:]
        case "s3":
            let bucket = String(path.prefix { $0 != "/" })
            guard Self.isBucketName(bucket) else {
                throw invalid("'\(bucket)' is not a bucket name (3 to 63 lowercase letters, digits, '.' and '-')")
            }
            var prefix = String(path.dropFirst(bucket.count).drop { $0 == "/" })
            while prefix.hasSuffix("/") { prefix.removeLast() }
            if !prefix.isEmpty {
                do { _ = try ObjectKey(prefix) } catch { throw invalid("the prefix: \(error.message)") }
                prefix += "/"
            }
            location = .s3(bucket: bucket, prefix: prefix)
            settings = try Self.parseQuery(query ?? "", invalid: invalid)
        default:
            throw invalid("unknown scheme '\(scheme)' (file, s3 or memory)")
        }
    }

    /// Opens the store. S3 credentials and a default region come from `environment`
    /// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE, AWS_REGION,
    /// and the AWS config files).
    public func open(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient = S3ObjectStore.defaultHTTPClient,
        logger: Logger = Logger(label: "barge.object-store")
    ) throws(ObjectStoreError) -> any ObjectStore {
        switch location {
        case .fileSystem(let root):
            return try FileSystemObjectStore(root: root)
        case .memory(let name):
            return MemoryObjectStore.named(name)
        case .s3(let bucket, let prefix):
            let resolver = AWSCredentialsResolver(environment: environment)
            var region = settings["region"]
            if region == nil { region = try resolver.region() }
            let configuration = try S3Configuration(
                endpoint: settings["endpoint"],
                region: region ?? "us-east-1",
                addressing: try addressing(),
                credentials: try resolver.credentials(),
                partSize: try number("part-size") ?? S3Configuration.defaultPartSize,
                uploadParallelism: try number("parallelism") ?? S3Configuration.defaultUploadParallelism
            )
            return try S3ObjectStore(bucket: bucket, prefix: prefix, configuration: configuration, httpClient: httpClient, logger: logger)
        }
    }

    private func addressing() throws(ObjectStoreError) -> S3Configuration.Addressing? {
        switch settings["addressing"] {
        case nil: return nil
        case "path": return .path
        case "virtual", "virtual-hosted": return .virtualHosted
        case let other?: throw ObjectStoreError(.configuration, "addressing must be path or virtual, not '\(other)'")
        }
    }

    /// A whole number setting, with an optional KiB/MiB/GiB suffix.
    private func number(_ name: String) throws(ObjectStoreError) -> Int? {
        guard let text = settings[name] else { return nil }
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("", 1)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Int(text.dropLast(suffix.count)), value >= 0, value <= Int.max / scale { return value * scale }
            break
        }
        throw ObjectStoreError(.configuration, "\(name) '\(text.prefix(40))' is not a whole number (optionally with KiB, MiB or GiB)")
    }

    private static func split(_ text: String) -> (path: String, query: String?) {
        guard let mark = text.firstIndex(of: "?") else { return (text, nil) }
        return (String(text[..<mark]), String(text[text.index(after: mark)...]))
    }

    private static func parseQuery(_ query: String, invalid: (String) -> ObjectStoreError) throws(ObjectStoreError) -> [String: String] {
        var settings: [String: String] = [:]
        for item in query.split(separator: "&") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            guard s3Settings.contains(name) else {
                throw invalid("unknown setting '\(name.prefix(40))' (\(s3Settings.sorted().joined(separator: ", ")))")
            }
            guard parts.count == 2, let value = String(parts[1]).removingPercentEncoding, !value.isEmpty else {
                throw invalid("setting '\(name)' has no value")
            }
            guard settings[name] == nil else { throw invalid("setting '\(name)' appears twice") }
            settings[name] = value
        }
        return settings
    }

    private static func isBucketName(_ name: String) -> Bool {
        (3...63).contains(name.count)
            && name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "." || $0 == "-" }
            && name.first.map { $0.isLetter || $0.isNumber } == true
            && name.last.map { $0.isLetter || $0.isNumber } == true
    }
}
