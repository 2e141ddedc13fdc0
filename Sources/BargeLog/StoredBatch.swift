import KafkaProtocol
import NIOCore

/// A received batch as the log stores it: its 61-byte header rewritten (base
/// offset and partition leader epoch, which the CRC does not cover; with
/// `LogAppendTime` also the timestamp type and max timestamp, with a new CRC)
/// and the rest of the received bytes written as they are, from the
/// received buffer's own storage.
struct StoredBatch {
    /// The header as stored.
    let header: RecordBatchHeader
    private let headerBytes: ByteBuffer
    private let received: RecordBatch

    /// Prepares `batch` to be stored at `baseOffset`; `logAppendTime` is set for
    /// topics with `message.timestamp.type=LogAppendTime`.
    init(_ batch: RecordBatch, baseOffset: Int64, leaderEpoch: Int32, logAppendTime: Int64?) {
        var header = batch.header
        header.baseOffset = baseOffset
        header.partitionLeaderEpoch = leaderEpoch
        if let logAppendTime {
            header.attributes.isLogAppendTime = true
            header.maxTimestamp = logAppendTime
            var crc = CRC32C()
            Self.encode(header).withUnsafeReadableBytes {
                crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...]))
            }
            batch.bytes.withUnsafeReadableBytes {
                crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.size...]))
            }
            header.crc = crc.value
        }
        self.header = header
        self.headerBytes = Self.encode(header)
        self.received = batch
    }

    private static func encode(_ header: RecordBatchHeader) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.size)
        header.write(to: &buffer)
        return buffer
    }

    /// Calls `body` with the bytes of `batches` in order as pieces for a gather write:
    /// each batch's rewritten header, then its received bytes after the header.
    static func withPieces<Result>(
        _ batches: ArraySlice<StoredBatch>,
        collected: [UnsafeRawBufferPointer] = [],
        _ body: ([UnsafeRawBufferPointer]) throws(LogError) -> Result
    ) throws(LogError) -> Result {
        guard let first = batches.first else { return try body(collected) }
        return try first.headerBytes.withUnsafeReadableBytes { (header) throws(LogError) -> Result in
            try first.received.bytes.withUnsafeReadableBytes { (received) throws(LogError) -> Result in
                let rest = UnsafeRawBufferPointer(rebasing: received[RecordBatchHeader.size...])
                return try withPieces(batches.dropFirst(), collected: collected + [header, rest], body)
            }
        }
    }
}
