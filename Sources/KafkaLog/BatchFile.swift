import KafkaProtocol
import NIOCore

/// The stored batches of one segment, wherever their bytes are: a local
/// segment file, or the chunks of a segment in the remote tier
/// (`RemoteSegmentView`). Finding batches by offset, by size and by time is
/// written once, here, for both.
protocol BatchFile {
    /// The offset of the segment's first record.
    var baseOffset: Int64 { get }
    /// Bytes of whole batches.
    var size: Int { get }
    /// The sparse offset index.
    var offsetIndex: OffsetIndex { get }
    /// The sparse time index.
    var timeIndex: TimeIndex { get }
    /// Up to `count` bytes at `position` (fewer at the end).
    func readBytes(count: Int, at position: Int) throws(LogError) -> ByteBuffer
    /// Bytes `start..<end` for sending, as regions the caller closes.
    func records(from start: Int, to end: Int) throws(LogError) -> [KafkaRecords.Part]
    /// A name for messages: the file or object it is read from.
    var sourceName: String { get }
}

extension BatchFile {
    /// The header of the batch at `position`, nil when fewer than a header's bytes are left.
    func header(at position: Int) throws(LogError) -> RecordBatchHeader? {
        RecordBatchHeader(from: try readBytes(count: RecordBatchHeader.size, at: position), at: 0)
    }

    /// Calls `body` with each batch from `position` to `size` until it returns false.
    func forEachBatch(from position: Int, _ body: (Int, RecordBatchHeader) throws(LogError) -> Bool) throws(LogError) {
        var position = position
        while position < size {
            guard let header = try header(at: position), header.totalSize >= RecordBatchHeader.size,
                  header.totalSize <= size - position else {
                throw LogError(.storage, "\(sourceName) has no whole record batch at position \(position) of \(size)")
            }
            guard try body(position, header) else { return }
            position += header.totalSize
        }
    }

    /// The batch holding `offset` (or the first one after it), nil when every batch ends before it.
    func batch(containing offset: Int64) throws(LogError) -> (position: Int, header: RecordBatchHeader)? {
        var found: (Int, RecordBatchHeader)?
        try forEachBatch(from: try offsetIndex.floor(offset: offset)?.position ?? 0) { position, header in
            if header.lastOffset >= offset { found = (position, header) }
            return found == nil
        }
        return found
    }

    /// The end of the last whole batch that fits in `maxBytes` from `start`, a
    /// batch boundary (`start` itself when the first batch is larger).
    func batchEnd(from start: Int, maxBytes: Int) throws(LogError) -> Int {
        if maxBytes >= size - start { return size }
        let limit = start + maxBytes
        var end = max(start, try offsetIndex.floor(position: limit)?.position ?? 0)
        try forEachBatch(from: end) { position, header in
            guard position + header.totalSize <= limit else { return false }
            end = position + header.totalSize
            return true
        }
        return end
    }

    /// Whole batches from the one holding `offset`, at most `maxBytes` of them
    /// (the first one anyway when `minOneBatch`), none at or after
    /// `limitOffset` (a batch boundary: the last stable offset); nil when no
    /// batch holds or follows `offset` below the limit, and an empty array
    /// when the first batch does not fit.
    func batches(
        from offset: Int64, maxBytes: Int, minOneBatch: Bool, before limitOffset: Int64 = .max
    ) throws(LogError) -> (parts: [KafkaRecords.Part], start: Int, end: Int)? {
        guard let (start, header) = try batch(containing: offset), header.baseOffset < limitOffset else { return nil }
        var available = maxBytes
        if limitOffset != .max, let (limitPosition, _) = try batch(containing: limitOffset) {
            available = min(available, limitPosition - start)
        }
        var end = try batchEnd(from: start, maxBytes: available)
        if end == start {
            guard minOneBatch else { return ([], start, start) }
            end = start + header.totalSize
        }
        return (try records(from: start, to: end), start, end)
    }
}
