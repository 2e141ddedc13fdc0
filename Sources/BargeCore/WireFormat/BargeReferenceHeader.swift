import KafkaValues

/// The Barge headers of a `reference` record (a claim check): the payload is
/// an object in a store, and the record says where and what it must be.
public struct BargeReferenceHeader: Hashable, Sendable {
    /// The message id.
    public var id: BargeMessageID
    /// The object's URL: its store's location and its key (`s3://bucket/prefix/key`,
    /// `file:///root/key`). It names no endpoint or credentials: readers reach the
    /// object through a store of their own configuration whose location holds it.
    public var objectURL: String
    /// Payload size (before encryption).
    public var size: Int64
    /// SHA-256 of the payload (before encryption).
    public var sha256: BargeDigest
    /// How the object is compressed; `none` in format version 1, so that byte
    /// ranges of the payload map to byte ranges of the object.
    public var codec: BargeCodec
    /// The object's size in the store (the payload size, plus the segment
    /// tags when encrypted).
    public var storedSize: Int64
    /// How the object is encrypted, when it is.
    public var encryption: BargeEncryptionParameters?
    /// Media type, if the producer gave one.
    public var contentType: String?
    /// Original file name, if the producer gave one.
    public var fileName: String?
    /// The application's own headers, in order.
    public var applicationHeaders: [KafkaHeader]

    /// The longest object URL a reader accepts, in bytes.
    public static let maximumURLLength = 2048

    /// Reference headers; see docs/wire-format.md.
    public init(
        id: BargeMessageID, objectURL: String, size: Int64, sha256: BargeDigest, codec: BargeCodec = .none,
        storedSize: Int64, encryption: BargeEncryptionParameters? = nil, contentType: String? = nil,
        fileName: String? = nil, applicationHeaders: [KafkaHeader] = []
    ) {
        self.id = id
        self.objectURL = objectURL
        self.size = size
        self.sha256 = sha256
        self.codec = codec
        self.storedSize = storedSize
        self.encryption = encryption
        self.contentType = contentType
        self.fileName = fileName
        self.applicationHeaders = applicationHeaders
    }
}
