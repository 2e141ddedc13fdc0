import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// An `ObjectStore` in a bucket of Amazon S3 or an S3-compatible service (SeaweedFS,
/// MinIO, ...), keeping each key at `prefix + key`.
///
/// Requests are signed with AWS Signature Version 4 and retried on failures that may pass
/// (see `S3RetryPolicy`). Large objects go up as multipart uploads whose memory is
/// bounded by `uploadParallelism × partSize`; objects come down as streams.
public struct S3ObjectStore: ObjectStore {
    /// The bucket.
    public let bucket: String
    /// The key prefix: empty or ending in `/`.
    public let prefix: String
    /// The settings.
    public let configuration: S3Configuration
    /// `s3://bucket/prefix`.
    public var location: ObjectStoreLocation { .s3(bucket: bucket, prefix: prefix) }

    let transport: S3Transport
    let logger: Logger

    /// A store in `bucket` under `prefix` (a `/` is appended when missing).
    ///
    /// `httpClient`'s own settings still apply. The default, ``defaultHTTPClient``, fails a
    /// refused connection at once (leaving retries to `S3RetryPolicy`) and bounds a stalled
    /// read to 60 s; `HTTPClient.shared` instead retries failed connection attempts until a
    /// request's deadline and sets no read timeout.
    ///
    /// - Throws: `ObjectStoreError` `.configuration` when `bucket` is not a valid bucket name
    ///   or `prefix` is not a valid key prefix.
    public init(
        bucket: String,
        prefix: String = "",
        configuration: S3Configuration,
        httpClient: HTTPClient = S3ObjectStore.defaultHTTPClient,
        logger: Logger = Logger(label: "barge.objectstore.s3")
    ) throws(ObjectStoreError) {
        try self.init(
            bucket: bucket, prefix: prefix, configuration: configuration, httpClient: httpClient, logger: logger,
            retrier: S3Retrier(policy: configuration.retryPolicy)
        )
    }

    /// A store whose retries use `retrier` (tests inject its clock).
    init(
        bucket: String, prefix: String, configuration: S3Configuration, httpClient: HTTPClient, logger: Logger, retrier: S3Retrier
    ) throws(ObjectStoreError) {
        if let problem = Self.problem(withBucket: bucket) {
            throw ObjectStoreError(.configuration, "S3 bucket name '\(bucket)': \(problem)")
        }
        let normalized = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        if !normalized.isEmpty, (try? ObjectKey(String(normalized.dropLast()))) == nil {
            throw ObjectStoreError(.configuration, "S3 key prefix '\(prefix)' is not a valid key prefix (see ObjectKey)")
        }
        self.bucket = bucket
        self.prefix = normalized
        self.configuration = configuration
        self.logger = logger
        self.transport = S3Transport(httpClient: httpClient, configuration: configuration, bucket: bucket, retrier: retrier, logger: logger)
    }

    public func get(_ key: ObjectKey, range: Range<Int64>?) async throws -> ObjectBody {
        var request = S3Request(method: .GET, key: prefix + key.rawValue, callerKey: key.rawValue)
        if let range {
            guard range.lowerBound >= 0 else {
                throw ObjectStoreError(.invalidRange, key: key.rawValue, "range \(range) starts before 0")
            }
            if range.isEmpty {
                guard let info = try await head(key) else {
                    throw ObjectStoreError(.notFound, key: key.rawValue, "no object under this key")
                }
                guard range.upperBound <= info.size else {
                    throw ObjectStoreError(.invalidRange, key: key.rawValue, "range \(range) ends after the object's \(info.size) bytes")
                }
                return ObjectBody(expectedSize: 0) { { nil } }
            }
            request.headers.append((name: "range", value: "bytes=\(range.lowerBound)-\(range.upperBound - 1)"))
        }
        let response = try await transport.stream(request)
        let length = response.headers.first(name: "content-length").flatMap { Int64($0) }
        if let range, let length, length != Int64(range.count) {
            throw ObjectStoreError(.invalidRange, key: key.rawValue, "range \(range) ends after the object's end (S3 sent \(length) bytes)")
        }
        return S3ResponseBody.make(response, expectedSize: length, failure: { [request] in transport.transportFailure($0, request) })
    }

    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        let request = S3Request(method: .HEAD, key: prefix + key.rawValue, callerKey: key.rawValue)
        let response: HTTPClientResponse
        do {
            response = try await transport.send(request).head
        } catch let error as ObjectStoreError where error.kind == .notFound {
            return nil
        }
        guard let size = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
            throw ObjectStoreError(.badResponse, key: key.rawValue, "\(request.summary) answered without a Content-Length")
        }
        let modified = response.headers.first(name: "last-modified").flatMap(S3Dates.rfc1123) ?? Date()
        return ObjectInfo(key: key, size: size, lastModified: modified, eTag: response.headers.first(name: "etag"))
    }

    public func delete(_ key: ObjectKey) async throws {
        do {
            _ = try await transport.send(S3Request(method: .DELETE, key: prefix + key.rawValue, callerKey: key.rawValue))
        } catch let error as ObjectStoreError where error.kind == .notFound {
            return
        }
    }

    public func list(prefix listPrefix: String) -> ObjectListing {
        let storePrefix = prefix
        let transport = transport
        let logger = logger
        let pageSize = configuration.listPageSize
        return ObjectListing { continuation in
            var query: [(name: String, value: String)] = [
                (name: "list-type", value: "2"), (name: "prefix", value: storePrefix + listPrefix),
                (name: "max-keys", value: String(pageSize)),
            ]
            if let continuation { query.append((name: "continuation-token", value: continuation)) }
            let page = try S3ListObjectsPage(xml: try await transport.send(S3Request(method: .GET, query: query)).body)
            let objects = page.objects.compactMap { object -> ObjectInfo? in
                // Some S3-compatible stores (SeaweedFS) match prefixes path-wise ("a//" as "a/"): keep the text match.
                guard object.key.hasPrefix(storePrefix + listPrefix), let key = try? ObjectKey(String(object.key.dropFirst(storePrefix.count))) else {
                    logger.debug("S3 listing skips a key that is not a valid key of this store", metadata: ["key": "\(object.key)"])
                    return nil
                }
                return ObjectInfo(key: key, size: object.size, lastModified: S3Dates.iso8601(object.lastModified) ?? Date(), eTag: object.eTag)
            }
            return (objects, page.continuationToken)
        }
    }

    /// Why `name` is not a valid S3 bucket name, or nil when it is.
    static func problem(withBucket name: String) -> String? {
        guard (3...63).contains(name.utf8.count) else { return "it must have 3 to 63 characters" }
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        }
        guard allowed else { return "it may hold only lower-case letters, digits, '-' and '.'" }
        guard let first = name.first, let last = name.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            return "it must start and end with a letter or digit"
        }
        return nil
    }
}
