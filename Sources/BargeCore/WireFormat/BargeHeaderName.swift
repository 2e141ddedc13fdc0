import KafkaValues

/// The header names of Barge's wire format, version 1 (docs/wire-format.md).
public enum BargeHeaderName {
    /// Every Barge header name starts with this; applications may not use it.
    public static let prefix = "barge."
    /// Format version.
    public static let version = "barge.v"
    /// `inline`, `chunk` or `abort`.
    public static let kind = "barge.kind"
    /// Message id: 32 lowercase hex digits.
    public static let id = "barge.id"
    /// A chunk's index.
    public static let index = "barge.index"
    /// The number of chunks.
    public static let count = "barge.count"
    /// `1` on a message's last chunk.
    public static let last = "barge.last"
    /// Payload size before compression.
    public static let size = "barge.size"
    /// SHA-256 of the payload before compression, in hex.
    public static let sha256 = "barge.sha256"
    /// How the record's value is compressed.
    public static let codec = "barge.codec"
    /// Uncompressed size of every chunk but the last (on chunk 0).
    public static let chunkSize = "barge.chunk-size"
    /// Media type.
    public static let contentType = "barge.content-type"
    /// Original file name.
    public static let fileName = "barge.filename"
    /// Why a producer aborted a message.
    public static let error = "barge.error"
    /// A reference's object URL (`s3://bucket/key`, `file:///root/key`).
    public static let reference = "barge.ref"
    /// The size of a reference's object as stored (after encryption).
    public static let storedSize = "barge.stored-size"

    /// The start of the headers a dead-letter copy of a bad record carries
    /// (`barge.dlq.topic`, `.partition`, `.offset`, `.kind`, `.error`, `.id`;
    /// see ``BadRecordPolicy/deadLetter(topic:)``).
    public static let deadLetterPrefix = "barge.dlq."

    /// Throws `reservedHeaderName` if an application header uses the `barge.` prefix.
    package static func checkApplicationHeaders(_ headers: [KafkaHeader]) throws(BargeWireError) {
        if let reserved = headers.first(where: { $0.key.hasPrefix(prefix) }) {
            throw BargeWireError(.reservedHeaderName, reserved.key, "application headers may not start with '\(prefix)'")
        }
    }
}
