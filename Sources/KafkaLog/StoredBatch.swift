import KafkaProtocol
import NIOCore

/// A received batch as the log stores it: its 61-byte header rewritten (base
/// offset and partition leader epoch, which the CRC does not cover; with
/// `LogAppendTime` also the timestamp type and max timestamp, with a new CRC)
/// and the rest of the received bytes written as they are: from the received
/// buffer's own storage, or copied by the kernel from a spool file.
struct StoredBatch {
    /// Where the received bytes are.
    enum Source {
        case memory(RecordBatch)
        case spool(SpooledRecordBatch)

        var header: RecordBatchHeader {
            switch self {
            case .memory(let batch): batch.header
            case .spool(let batch): batch.header
            }
        }
    }

    /// The header as stored.
    let header: RecordBatchHeader
    private let headerBytes: ByteBuffer
    let source: Source

    /// Prepares a received batch to be stored at `baseOffset`; `logAppendTime` is
    /// set for topics with `message.timestamp.type=LogAppendTime`.
    init(_ source: Source, baseOffset: Int64, leaderEpoch: Int32, logAppendTime: Int64?) throws(LogError) {
        var header = source.header
        header.baseOffset = baseOffset
        header.partitionLeaderEpoch = leaderEpoch
        if let logAppendTime {
            header.attributes.isLogAppendTime = true
            header.maxTimestamp = logAppendTime
            header.crc = try Self.crc(of: header, bodyOf: source)
        }
        self.header = header
        self.headerBytes = Self.encode(header)
        self.source = source
    }

    /// The CRC of `header` followed by the received bytes after the header.
    private static func crc(of header: RecordBatchHeader, bodyOf source: Source) throws(LogError) -> UInt32 {
        var crc = CRC32C()
        Self.encode(header).withUnsafeReadableBytes {
            crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...]))
        }
        switch source {
        case .memory(let batch):
            batch.bytes.withUnsafeReadableBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.size...])) }
            return crc.value
        case .spool(let batch):
            let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { chunk.deallocate() }
            return try batch.file.checksum(from: batch.position + RecordBatchHeader.size, to: batch.position + header.totalSize, chunk: chunk, initial: crc)
        }
    }

    private static func encode(_ header: RecordBatchHeader) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.size)
        header.write(to: &buffer)
        return buffer
    }

    /// Writes `batches` one after another at `offset` of `file`: in-memory ones
    /// with one gather write per run, spooled ones by a kernel copy after their header.
    static func write(_ batches: [StoredBatch], to file: LogFile, at offset: Int) throws(LogError) {
        var position = offset
        var run: ArraySlice<StoredBatch> = []
        func flushRun() throws(LogError) {
            // A gather write per 64 batches keeps the pieces (and the nesting below) small.
            var start = run.startIndex
            while start < run.endIndex {
                let chunk = run[start..<min(start + 64, run.endIndex)]
                try withPieces(chunk) { (pieces) throws(LogError) in try file.write(pieces, at: position) }
                position += chunk.reduce(0) { $0 + $1.header.totalSize }
                start = chunk.endIndex
            }
            run = []
        }
        for (index, batch) in batches.enumerated() {
            guard case .spool(let spooled) = batch.source else {
                run = run.isEmpty ? batches[index...index] : batches[run.startIndex...index]
                continue
            }
            try flushRun()
            try batch.headerBytes.withUnsafeReadableBytes { (header) throws(LogError) in try file.write([header], at: position) }
            let body = batch.header.totalSize - RecordBatchHeader.size
            try file.copy(body, from: spooled.file, at: spooled.position + RecordBatchHeader.size, to: position + RecordBatchHeader.size)
            position += batch.header.totalSize
        }
        try flushRun()
    }

    /// Calls `body` with the bytes of in-memory `batches` in order as pieces for
    /// a gather write: each batch's rewritten header, then its received bytes after the header.
    private static func withPieces<Result>(
        _ batches: ArraySlice<StoredBatch>,
        collected: [UnsafeRawBufferPointer] = [],
        _ body: ([UnsafeRawBufferPointer]) throws(LogError) -> Result
    ) throws(LogError) -> Result {
        guard let first = batches.first else { return try body(collected) }
        guard case .memory(let received) = first.source else { preconditionFailure("a gather write holds in-memory batches only") }
        return try first.headerBytes.withUnsafeReadableBytes { (header) throws(LogError) -> Result in
            try received.bytes.withUnsafeReadableBytes { (bytes) throws(LogError) -> Result in
                let rest = UnsafeRawBufferPointer(rebasing: bytes[RecordBatchHeader.size...])
                return try withPieces(batches.dropFirst(), collected: collected + [header, rest], body)
            }
        }
    }
}
