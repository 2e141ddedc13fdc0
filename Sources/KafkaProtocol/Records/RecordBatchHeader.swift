import NIOCore

/// The fixed 61-byte header of a record batch (magic 2), read without
/// touching the records that follow it.
///
/// Layout: baseOffset int64, batchLength int32, partitionLeaderEpoch int32,
/// magic int8, crc uint32, attributes int16, lastOffsetDelta int32,
/// baseTimestamp int64, maxTimestamp int64, producerId int64,
/// producerEpoch int16, baseSequence int32, recordCount int32.
public struct RecordBatchHeader: Sendable, Equatable {
    /// Bytes of the header, up to the first record.
    public static let size = 61
    /// Bytes before `batchLength` counts: baseOffset and batchLength themselves.
    public static let lengthPrefixSize = 12
    /// Where the CRC-covered part starts (the attributes field).
    public static let crcCoverageStart = 21
    static let crcFieldOffset = 17
    static let maxTimestampOffset = 35

    public var baseOffset: Int64
    /// Bytes after the batchLength field.
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: RecordBatchAttributes
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordCount: Int32

    /// The whole batch's size in bytes.
    public var totalSize: Int { Int(batchLength) + Self.lengthPrefixSize }
    /// The offset of the batch's last record.
    public var lastOffset: Int64 { baseOffset + Int64(lastOffsetDelta) }
    /// The sequence number of the batch's last record (wrapping as Kafka does).
    public var lastSequence: Int32 {
        baseSequence == -1 ? -1 : Int32((Int64(baseSequence) + Int64(lastOffsetDelta)) % (Int64(Int32.max) + 1))
    }

    /// Reads a header at `index` of `buffer` without moving its reader index.
    /// Returns nil when fewer than `size` bytes are there.
    public init?(from buffer: ByteBuffer, at index: Int) {
        guard buffer.writerIndex - index >= Self.size, index >= buffer.readerIndex,
              let baseOffset = buffer.getInteger(at: index, as: Int64.self),
              let batchLength = buffer.getInteger(at: index + 8, as: Int32.self),
              let partitionLeaderEpoch = buffer.getInteger(at: index + 12, as: Int32.self),
              let magic = buffer.getInteger(at: index + 16, as: Int8.self),
              let crc = buffer.getInteger(at: index + 17, as: UInt32.self),
              let attributes = buffer.getInteger(at: index + 21, as: Int16.self),
              let lastOffsetDelta = buffer.getInteger(at: index + 23, as: Int32.self),
              let baseTimestamp = buffer.getInteger(at: index + 27, as: Int64.self),
              let maxTimestamp = buffer.getInteger(at: index + 35, as: Int64.self),
              let producerId = buffer.getInteger(at: index + 43, as: Int64.self),
              let producerEpoch = buffer.getInteger(at: index + 51, as: Int16.self),
              let baseSequence = buffer.getInteger(at: index + 53, as: Int32.self),
              let recordCount = buffer.getInteger(at: index + 57, as: Int32.self)
        else { return nil }
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.crc = crc
        self.attributes = RecordBatchAttributes(rawValue: attributes)
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordCount = recordCount
    }

    /// Checks what can be checked without the records: magic 2, a length that
    /// fits the `bytesLeft` bytes available, a record count that matches the
    /// last offset delta, and a known codec. Throws `.corruptRecordBatch`.
    public func check(bytesLeft: Int) throws {
        guard magic == 2 else {
            throw KafkaProtocolError(.corruptRecordBatch, "record batch magic is \(magic); only magic 2 is supported")
        }
        guard batchLength >= Self.size - Self.lengthPrefixSize, totalSize <= bytesLeft else {
            throw KafkaProtocolError(.corruptRecordBatch, "record batch length \(batchLength) does not fit the \(bytesLeft) bytes left")
        }
        guard recordCount >= 0, lastOffsetDelta >= 0,
              attributes.isControl || recordCount == 0 || lastOffsetDelta == recordCount - 1 else {
            throw KafkaProtocolError(.corruptRecordBatch, "record batch has \(recordCount) records but last offset delta \(lastOffsetDelta)")
        }
        guard attributes.compression.isKnown else {
            throw KafkaProtocolError(.corruptRecordBatch, "record batch uses unknown compression codec \(attributes.compression.rawValue)")
        }
    }

    /// Writes the header (with the stored `crc`, which callers fix afterwards).
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(baseOffset)
        buffer.writeInteger(batchLength)
        buffer.writeInteger(partitionLeaderEpoch)
        buffer.writeInteger(magic)
        buffer.writeInteger(crc)
        buffer.writeInteger(attributes.rawValue)
        buffer.writeInteger(lastOffsetDelta)
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(producerId)
        buffer.writeInteger(producerEpoch)
        buffer.writeInteger(baseSequence)
        buffer.writeInteger(recordCount)
    }
}

/// The attributes of a record batch: compression codec, timestamp type,
/// transactional and control flags.
public struct RecordBatchAttributes: Sendable, Hashable {
    public var rawValue: Int16

    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// The compression codec (bits 0-2).
    public var compression: RecordCompression {
        get { RecordCompression(rawValue: Int8(rawValue & 0x7)) }
        set { rawValue = (rawValue & ~0x7) | Int16(newValue.rawValue & 0x7) }
    }

    /// Whether timestamps are the broker's append time rather than the producer's create time (bit 3).
    public var isLogAppendTime: Bool {
        get { rawValue & 0x8 != 0 }
        set { rawValue = newValue ? rawValue | 0x8 : rawValue & ~0x8 }
    }

    /// Whether the batch belongs to a transaction (bit 4).
    public var isTransactional: Bool {
        get { rawValue & 0x10 != 0 }
        set { rawValue = newValue ? rawValue | 0x10 : rawValue & ~0x10 }
    }

    /// Whether the batch holds a control record such as a transaction marker (bit 5).
    public var isControl: Bool {
        get { rawValue & 0x20 != 0 }
        set { rawValue = newValue ? rawValue | 0x20 : rawValue & ~0x20 }
    }
}

/// A record batch's compression codec.
public struct RecordCompression: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int8
    public init(rawValue: Int8) { self.rawValue = rawValue }

    public static let none = RecordCompression(rawValue: 0)
    public static let gzip = RecordCompression(rawValue: 1)
    public static let snappy = RecordCompression(rawValue: 2)
    public static let lz4 = RecordCompression(rawValue: 3)
    public static let zstd = RecordCompression(rawValue: 4)

    /// Whether Kafka defines this codec.
    public var isKnown: Bool { (0...4).contains(rawValue) }

    public var description: String {
        switch rawValue {
        case 0: "none"
        case 1: "gzip"
        case 2: "snappy"
        case 3: "lz4"
        case 4: "zstd"
        default: "unknown(\(rawValue))"
        }
    }
}
