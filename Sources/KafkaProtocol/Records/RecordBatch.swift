import NIOCore

/// One record batch (magic 2) as raw bytes, with its parsed header.
///
/// The bytes are kept exactly as received; the only change a broker makes is
/// the base offset (and partition leader epoch), which the CRC does not cover.
public struct RecordBatch: Sendable {
    public let header: RecordBatchHeader
    /// The whole batch, header included.
    public private(set) var bytes: ByteBuffer

    /// Splits a `records` buffer into its batches and checks each one: size,
    /// magic, CRC-32C, record count and codec. Throws `.corruptRecordBatch`
    /// naming the first problem. The batches share storage with `buffer`.
    public static func split(_ buffer: ByteBuffer, verifyCRC: Bool = true) throws -> [RecordBatch] {
        var batches: [RecordBatch] = []
        var index = buffer.readerIndex
        while index < buffer.writerIndex {
            guard let header = RecordBatchHeader(from: buffer, at: index) else {
                throw KafkaProtocolError(.corruptRecordBatch, "record batch at byte \(index - buffer.readerIndex) is truncated: \(buffer.writerIndex - index) bytes left, a header needs \(RecordBatchHeader.size)")
            }
            try header.check(bytesLeft: buffer.writerIndex - index)
            let bytes = buffer.getSlice(at: index, length: header.totalSize)!
            let batch = RecordBatch(header: header, bytes: bytes)
            if verifyCRC {
                let computed = batch.computedCRC()
                guard computed == header.crc else {
                    throw KafkaProtocolError(.corruptRecordBatch, "record batch CRC is \(header.crc) but its bytes sum to \(computed)")
                }
            }
            batches.append(batch)
            index += header.totalSize
        }
        return batches
    }

    /// The CRC-32C of a batch's covered part, from its header bytes and the
    /// bytes after the header (which may come in several pieces).
    public static func crc(header: RecordBatchHeader, body pieces: [UnsafeRawBufferPointer]) -> UInt32 {
        var bytes = ByteBuffer()
        header.write(to: &bytes)
        var crc = CRC32C()
        bytes.withUnsafeReadableBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...])) }
        for piece in pieces { crc.update(piece) }
        return crc.value
    }

    init(header: RecordBatchHeader, bytes: ByteBuffer) {
        self.header = header
        self.bytes = bytes
    }

    /// The CRC-32C of the covered part (attributes to the end).
    public func computedCRC() -> UInt32 {
        var crc = CRC32C()
        bytes.withUnsafeReadableBytes { raw in
            crc.update(UnsafeRawBufferPointer(rebasing: raw[RecordBatchHeader.crcCoverageStart...]))
        }
        return crc.value
    }

    /// Sets the base offset in place (copy-on-write if the storage is shared).
    public mutating func setBaseOffset(_ offset: Int64) {
        bytes.setInteger(offset, at: bytes.readerIndex)
        var header = header
        header.baseOffset = offset
        self = RecordBatch(header: header, bytes: bytes)
    }

    /// The records, decoded. Only for uncompressed batches; compressed ones
    /// throw `.invalidValue` (the broker never needs to look inside them).
    public func records() throws -> [Record] {
        guard header.attributes.compression == .none else {
            throw KafkaProtocolError(.invalidValue, "records of a \(header.attributes.compression) batch cannot be read without decompressing")
        }
        var body = bytes.getSlice(at: bytes.readerIndex + RecordBatchHeader.size, length: header.totalSize - RecordBatchHeader.size)!
        var records: [Record] = []
        records.reserveCapacity(min(Int(header.recordCount), body.readableBytes))
        for _ in 0..<header.recordCount {
            records.append(try Record(from: &body, batch: header))
        }
        guard body.readableBytes == 0 else {
            throw KafkaProtocolError(.corruptRecordBatch, "record batch has \(body.readableBytes) bytes after its last record")
        }
        return records
    }
}
