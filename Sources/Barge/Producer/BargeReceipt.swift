import KafkaValues

/// What was sent, once every record of it was acknowledged.
public struct BargeReceipt: Hashable, Sendable {
    /// The message id.
    public var id: BargeMessageID
    /// The partition all its records went to.
    public var topicPartition: KafkaTopicPartition
    /// The offset of its first record.
    public var firstOffset: Int64
    /// The offset of its last record.
    public var lastOffset: Int64
    /// Payload bytes, before compression.
    public var size: Int64
    /// SHA-256 of the payload.
    public var sha256: BargeDigest
    /// Records it took: 1 inline, else the chunk count.
    public var records: Int
    /// Whether it went inline.
    public var isInline: Bool
    /// The object's URL, when it went as a claim check.
    public var objectURL: String? = nil

    /// How it travelled: `inline`, `chunked` or `claim-check`.
    public var strategyName: String { objectURL != nil ? "claim-check" : isInline ? "inline" : "chunked" }
}

/// What a payload is, for the receiver.
public struct PayloadDescription: Hashable, Sendable {
    /// The original file name, without directories.
    public var fileName: String?
    /// A media type such as `video/mp4`.
    public var contentType: String?

    /// A description with an optional file name and media type.
    public init(fileName: String? = nil, contentType: String? = nil) {
        self.fileName = fileName
        self.contentType = contentType
    }
}
