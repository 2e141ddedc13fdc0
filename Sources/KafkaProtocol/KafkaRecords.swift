import NIOCore

/// The value of a `records` field: record batches kept as raw bytes, never
/// re-encoded. When served from a log they may be file regions sent with zero copy.
public struct KafkaRecords: Sendable {
    /// One piece of the records: bytes in memory or a region of a file.
    public enum Part: Sendable {
        case bytes(ByteBuffer)
        case file(FileRegion)
    }

    /// The pieces, in order.
    public private(set) var parts: [Part]
    /// The total size in bytes of all pieces.
    public private(set) var byteCount: Int

    /// Records held in memory.
    public init(bytes: ByteBuffer) {
        self.parts = [.bytes(bytes)]
        self.byteCount = bytes.readableBytes
    }

    /// Records assembled from several pieces.
    public init(parts: [Part] = []) {
        self.parts = []
        self.byteCount = 0
        for part in parts { append(part) }
    }

    /// Appends a piece.
    public mutating func append(_ part: Part) {
        parts.append(part)
        switch part {
        case .bytes(let bytes): byteCount += bytes.readableBytes
        case .file(let region): byteCount += region.readableBytes
        }
    }

    /// The records as one buffer, when they are all in memory (nil if any piece is a file region).
    public var inMemoryBytes: ByteBuffer? {
        if parts.count == 1, case .bytes(let bytes) = parts[0] { return bytes }
        var joined = ByteBuffer()
        for part in parts {
            guard case .bytes(var bytes) = part else { return nil }
            joined.writeBuffer(&bytes)
        }
        return joined
    }
}

extension KafkaRecords: Equatable {
    /// Records are equal when both are in memory and hold the same bytes.
    public static func == (lhs: KafkaRecords, rhs: KafkaRecords) -> Bool {
        guard lhs.byteCount == rhs.byteCount else { return false }
        guard let left = lhs.inMemoryBytes, let right = rhs.inMemoryBytes else { return false }
        return left == right
    }
}
