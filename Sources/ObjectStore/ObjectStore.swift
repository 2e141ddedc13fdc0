import Foundation
import NIOCore

/// A place that keeps whole objects under keys: a directory, an S3 bucket, or memory.
///
/// Every operation streams: `put` reads its body piece by piece and `get` hands the
/// object back piece by piece, so no implementation holds a whole object in memory.
/// An object becomes visible only once it is completely and durably stored; a failed
/// or cancelled `put` leaves nothing behind under the key.
public protocol ObjectStore: Sendable {
    /// Where the store keeps its objects, as the URL it was opened with, normalised
    /// (`file:///root`, `s3://bucket/prefix`, `memory://name`); no credentials or endpoint.
    var location: ObjectStoreLocation { get }

    /// Stores everything `body` yields under `key`, replacing any object already there.
    ///
    /// - Returns: the stored object's description (its size is the number of bytes read).
    func put<Body: AsyncSequence & Sendable>(
        _ key: ObjectKey, body: Body, options: ObjectPutOptions
    ) async throws -> ObjectInfo where Body.Element == ByteBuffer

    /// Streams the object under `key`, or the bytes of `range` within it.
    ///
    /// - Throws: `ObjectStoreError` `.notFound` when there is no such object, and
    ///   `.invalidRange` when `range` does not lie within it. A range lies within an object
    ///   of `size` bytes when `0 <= lowerBound` and `upperBound <= size`, as Swift slices
    ///   do, so an empty range anywhere from 0 up to and including `size` is valid and
    ///   yields no bytes.
    func get(_ key: ObjectKey, range: Range<Int64>?) async throws -> ObjectBody

    /// Describes the object under `key`, or returns nil when there is none.
    func head(_ key: ObjectKey) async throws -> ObjectInfo?

    /// Removes the object under `key`; removing an object that is not there succeeds.
    func delete(_ key: ObjectKey) async throws

    /// Every object whose key starts with `prefix` (plain text match, not a path match),
    /// in ascending UTF-8 key order where the store keeps it (the file-system and memory
    /// stores, AWS S3). SeaweedFS's S3 gateway lists a directory's subdirectories in
    /// tree order instead (`a/b/c` before `a/b-x`); callers that need an order sort.
    func list(prefix: String) -> ObjectListing
}

extension ObjectStore {
    /// Streams the whole object under `key`.
    public func get(_ key: ObjectKey) async throws -> ObjectBody {
        try await get(key, range: nil)
    }

    /// Stores everything `body` yields under `key` with default options.
    public func put<Body: AsyncSequence & Sendable>(
        _ key: ObjectKey, body: Body
    ) async throws -> ObjectInfo where Body.Element == ByteBuffer {
        try await put(key, body: body, options: ObjectPutOptions())
    }
}

/// Options of one `put`.
public struct ObjectPutOptions: Sendable, Hashable {
    /// The object's media type, kept where the store can keep it.
    public var contentType: String?
    /// The body's size when the caller knows it; stores may use it to pick a single
    /// request over a multipart upload. A body that yields a different number of bytes fails.
    public var expectedSize: Int64?

    /// Options for one `put`.
    public init(contentType: String? = nil, expectedSize: Int64? = nil) {
        self.contentType = contentType
        self.expectedSize = expectedSize
    }
}

/// What a store knows about one object.
public struct ObjectInfo: Sendable, Hashable {
    /// The object's key.
    public var key: ObjectKey
    /// Its size in bytes.
    public var size: Int64
    /// When it was last written, in whole seconds or better.
    public var lastModified: Date
    /// The store's version tag (S3's ETag, for instance), when the store has one.
    public var eTag: String?

    /// Describes one object.
    public init(key: ObjectKey, size: Int64, lastModified: Date, eTag: String? = nil) {
        self.key = key
        self.size = size
        self.lastModified = lastModified
        self.eTag = eTag
    }
}
