import KafkaValues

/// What a record is under Barge's wire format, read from its headers.
public enum BargeEnvelope: Hashable, Sendable {
    /// Not a Barge record: deliver it as it is.
    case plain
    /// A whole payload in one record.
    case inline(BargeInlineHeader)
    /// One chunk of a message.
    case chunk(BargeChunkHeader)
    /// The producer gave up on a message.
    case abort(BargeAbortHeader)
    /// A claim check: the payload is an object in a store, named by the record.
    case reference(BargeReferenceHeader)
}

/// The Barge headers of an `inline` record.
public struct BargeInlineHeader: Hashable, Sendable {
    /// The message id.
    public var id: BargeMessageID
    /// Payload size before compression.
    public var size: Int64
    /// SHA-256 of the payload before compression.
    public var sha256: BargeDigest
    /// How the value is compressed.
    public var codec: BargeCodec
    /// Media type, media-type-like text, if the producer gave one.
    public var contentType: String?
    /// Original file name, if the producer gave one.
    public var fileName: String?
    /// The application's own headers, in order.
    public var applicationHeaders: [KafkaHeader]

    /// Inline headers for a payload of `size` bytes with digest `sha256`.
    public init(
        id: BargeMessageID, size: Int64, sha256: BargeDigest, codec: BargeCodec,
        contentType: String? = nil, fileName: String? = nil, applicationHeaders: [KafkaHeader] = []
    ) {
        self.id = id
        self.size = size
        self.sha256 = sha256
        self.codec = codec
        self.contentType = contentType
        self.fileName = fileName
        self.applicationHeaders = applicationHeaders
    }
}

/// The Barge headers of a `chunk` record.
public struct BargeChunkHeader: Hashable, Sendable {
    /// The message id.
    public var id: BargeMessageID
    /// This chunk's index.
    public var index: Int
    /// The number of chunks, when the producer knew it (always on the last chunk).
    public var count: Int?
    /// Whether this is the message's last chunk.
    public var isLast: Bool
    /// Payload size before compression, when known (always on the last chunk).
    public var size: Int64?
    /// SHA-256 of the whole payload (on the last chunk).
    public var sha256: BargeDigest?
    /// How this chunk's value is compressed.
    public var codec: BargeCodec
    /// Uncompressed size of every chunk but the last (on chunk 0).
    public var chunkSize: Int?
    /// Media type (on chunk 0, optional).
    public var contentType: String?
    /// Original file name (on chunk 0, optional).
    public var fileName: String?
    /// The application's own headers (on chunk 0).
    public var applicationHeaders: [KafkaHeader]

    /// Chunk headers; see docs/wire-format.md for which fields each chunk carries.
    public init(
        id: BargeMessageID, index: Int, count: Int?, isLast: Bool, size: Int64?, sha256: BargeDigest?,
        codec: BargeCodec, chunkSize: Int? = nil, contentType: String? = nil, fileName: String? = nil,
        applicationHeaders: [KafkaHeader] = []
    ) {
        self.id = id
        self.index = index
        self.count = count
        self.isLast = isLast
        self.size = size
        self.sha256 = sha256
        self.codec = codec
        self.chunkSize = chunkSize
        self.contentType = contentType
        self.fileName = fileName
        self.applicationHeaders = applicationHeaders
    }
}

/// The Barge headers of an `abort` record.
public struct BargeAbortHeader: Hashable, Sendable {
    /// The message given up.
    public var id: BargeMessageID
    /// Why, if the producer said.
    public var reason: String?

    /// An abort of message `id`.
    public init(id: BargeMessageID, reason: String? = nil) {
        self.id = id
        self.reason = reason
    }
}

/// A SHA-256 digest, written as 64 lowercase hex digits.
public struct BargeDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 bytes.
    public let bytes: [UInt8]

    /// A digest of exactly 32 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    /// The digest written as `hex`; `nil` unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for pair in stride(from: 0, to: 64, by: 2) {
            guard let high = Self.value(of: digits[pair]), let low = Self.value(of: digits[pair + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        self.bytes = bytes
    }

    /// 64 lowercase hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    public var description: String { hex }

    private static func value(of digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        default: nil
        }
    }
}
