import NIOCore

/// Builds an uncompressed record batch (magic 2) with a correct CRC-32C.
public struct RecordBatchBuilder: Sendable {
    public var baseOffset: Int64 = 0
    public var partitionLeaderEpoch: Int32 = -1
    public var producerId: Int64 = -1
    public var producerEpoch: Int16 = -1
    public var baseSequence: Int32 = -1
    public var isTransactional = false
    /// A control batch (transaction markers); only the broker writes them.
    public var isControl = false
    private var records: [(timestamp: Int64, key: ByteBuffer?, value: ByteBuffer?, headers: [Record.Header])] = []

    public init() {}

    /// Adds a record; timestamps are milliseconds since the epoch.
    public mutating func append(key: ByteBuffer?, value: ByteBuffer?, headers: [Record.Header] = [], timestamp: Int64) {
        records.append((timestamp, key, value, headers))
    }

    /// The number of records added.
    public var count: Int { records.count }

    /// Encodes the batch.
    public func build() -> ByteBuffer {
        let baseTimestamp = records.first?.timestamp ?? 0
        var body = ByteBuffer()
        for (delta, record) in records.enumerated() {
            var encoded = ByteBuffer()
            encoded.writeInteger(Int8(0))
            encoded.writeKafkaVarint(record.timestamp - baseTimestamp)
            encoded.writeKafkaVarint(Int64(delta))
            Self.writeVarintBytes(record.key, to: &encoded)
            Self.writeVarintBytes(record.value, to: &encoded)
            encoded.writeKafkaVarint(Int64(record.headers.count))
            for header in record.headers {
                Self.writeVarintBytes(ByteBuffer(string: header.key), to: &encoded)
                Self.writeVarintBytes(header.value, to: &encoded)
            }
            body.writeKafkaVarint(Int64(encoded.readableBytes))
            body.writeBuffer(&encoded)
        }
        var attributes = RecordBatchAttributes(rawValue: 0)
        attributes.isTransactional = isTransactional
        attributes.isControl = isControl
        var header = RecordBatchHeader.zero
        header.baseOffset = baseOffset
        header.batchLength = Int32(RecordBatchHeader.size - RecordBatchHeader.lengthPrefixSize + body.readableBytes)
        header.partitionLeaderEpoch = partitionLeaderEpoch
        header.attributes = attributes
        header.lastOffsetDelta = Int32(Swift.max(records.count - 1, 0))
        header.baseTimestamp = baseTimestamp
        header.maxTimestamp = records.map(\.timestamp).max() ?? baseTimestamp
        header.producerId = producerId
        header.producerEpoch = producerEpoch
        header.baseSequence = baseSequence
        header.recordCount = Int32(records.count)
        return Self.encode(header, records: body)
    }

    /// A batch around records that are already encoded (and compressed with
    /// `compression`, if not `.none`), with a correct CRC: for tools and tests
    /// that need batches a builder would never write. `lastOffsetDelta`
    /// defaults to `recordCount - 1`.
    public static func assemble(
        records: ByteBuffer, recordCount: Int32, lastOffsetDelta: Int32? = nil, compression: RecordCompression = .none,
        timestamp: Int64 = 0, producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1
    ) -> ByteBuffer {
        var header = RecordBatchHeader.zero
        header.batchLength = Int32(RecordBatchHeader.size - RecordBatchHeader.lengthPrefixSize + records.readableBytes)
        header.partitionLeaderEpoch = -1
        header.attributes.compression = compression
        header.lastOffsetDelta = lastOffsetDelta ?? Swift.max(recordCount - 1, 0)
        header.baseTimestamp = timestamp
        header.maxTimestamp = timestamp
        header.producerId = producerId
        header.producerEpoch = producerEpoch
        header.baseSequence = baseSequence
        header.recordCount = recordCount
        return encode(header, records: records)
    }

    /// `header` (with the CRC computed) followed by `records`.
    private static func encode(_ header: RecordBatchHeader, records: ByteBuffer) -> ByteBuffer {
        var batch = ByteBuffer()
        header.write(to: &batch)
        var body = records
        batch.writeBuffer(&body)
        var crc = CRC32C()
        batch.withUnsafeReadableBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...])) }
        batch.setInteger(crc.value, at: RecordBatchHeader.crcFieldOffset)
        return batch
    }

    private static func writeVarintBytes(_ bytes: ByteBuffer?, to buffer: inout ByteBuffer) {
        guard var bytes else { return buffer.writeKafkaVarint(-1) }
        buffer.writeKafkaVarint(Int64(bytes.readableBytes))
        buffer.writeBuffer(&bytes)
    }
}

extension RecordBatchHeader {
    /// A header with every field zero, magic 2.
    static var zero: RecordBatchHeader {
        var buffer = ByteBuffer(repeating: 0, count: size)
        buffer.setInteger(Int8(2), at: 16)
        return RecordBatchHeader(from: buffer, at: 0)!
    }
}
