import KafkaProtocol
import NIOCore

extension PartitionLog {
    /// Reads whole record batches from the one holding `offset`, across segments.
    ///
    /// Returns as many whole batches as fit in `maxBytes`; when even the first
    /// does not fit, returns it anyway if `minOneBatch` (Kafka's rule for the
    /// first partition of a fetch), else nothing. `offset` equal to the log end
    /// offset returns no records; an offset outside
    /// `[logStartOffset, logEndOffset]` throws `offsetOutOfRange`, and one
    /// below the local log of a tiered log throws `offsetMovedToTieredStorage`.
    ///
    /// With `isolation` `.readCommitted` (Kafka's read_committed) the read
    /// stops at the last stable offset, and the result lists the aborted
    /// transactions that the records returned may hold.
    ///
    /// The records are `.file` parts, one per segment read, sent with zero copy.
    /// Each region has its own `NIOFileHandle` on a duplicate descriptor, so it
    /// stays readable when retention deletes the segment meanwhile. **The caller
    /// must close every handle** after sending the regions (or on failure).
    public func read(
        from offset: Int64, maxBytes: Int, minOneBatch: Bool, isolation: IsolationLevel = .readUncommitted
    ) throws(LogError) -> LogReadResult {
        try lock.withLock { () throws(LogError) -> LogReadResult in
            try checkOpen()
            let endOffset = activeSegment.nextOffset
            guard offset >= startOffset, offset <= endOffset else {
                throw LogError(.offsetOutOfRange, "offset \(offset) is outside the log's range \(startOffset)...\(endOffset)")
            }
            if isTieredLocked && offset < segments[0].baseOffset {
                throw LogError(.offsetMovedToTieredStorage, "offset \(offset) is in the remote tier (local log starts at \(segments[0].baseOffset))")
            }
            let stableOffset = lastStableOffsetLocked
            let limit = isolation == .readCommitted ? stableOffset : endOffset
            var result = LogReadResult(records: KafkaRecords(), highWatermark: endOffset, logStartOffset: startOffset,
                                       lastStableOffset: stableOffset, abortedTransactions: isolation == .readCommitted ? [] : nil)
            guard offset < limit else { return result }
            do throws(LogError) {
                let last = try collectBatches(from: offset, maxBytes: maxBytes, minOneBatch: minOneBatch, before: limit, into: &result.records)
                if isolation == .readCommitted, let (segment, end) = last {
                    // The offset after the last batch read: where the next batch starts.
                    let endOffset = end < segment.size ? try segment.header(at: end)?.baseOffset ?? segment.nextOffset : segment.nextOffset
                    result.abortedTransactions = abortedTransactionsLocked(from: offset, before: endOffset)
                }
            } catch {
                result.records.closeFileHandles()
                throw error
            }
            return result
        }
    }

    /// The first record with a timestamp at or after `timestamp` (ListOffsets by
    /// time), from the log start offset on; nil when every record is older.
    ///
    /// Inside an uncompressed batch the record is found exactly; in a
    /// compressed batch (which the log does not decompress) the answer is the
    /// batch's first offset and max timestamp, so a consumer starting there
    /// may also see a few older records of that batch.
    public func offset(forTimestamp timestamp: Int64) throws(LogError) -> TimestampedOffset? {
        try lock.withLock { () throws(LogError) -> TimestampedOffset? in
            try checkOpen()
            for segment in segments where segment.nextOffset > startOffset && segment.largestTimestamp >= timestamp {
                if let found = try segment.firstRecord(withTimestampAtLeast: timestamp, offsetAtLeast: startOffset) {
                    return found
                }
            }
            return nil
        }
    }

    /// Appends the batches from `offset` to `records` and returns the
    /// segment of the last batch taken and the position after it (nil when
    /// none was taken).
    private func collectBatches(
        from offset: Int64, maxBytes: Int, minOneBatch: Bool, before limit: Int64, into records: inout KafkaRecords
    ) throws(LogError) -> (segment: Segment, end: Int)? {
        var index = segmentIndex(containing: offset)
        var target = offset
        var budget = max(0, maxBytes)
        var mustTakeOne = minOneBatch
        var last: (segment: Segment, end: Int)?
        while index < segments.count {
            let segment = segments[index]
            if let (parts, start, end) = try segment.batches(from: target, maxBytes: budget, minOneBatch: mustTakeOne, before: limit) {
                guard !parts.isEmpty else { return last }
                parts.forEach { records.append($0) }
                last = (segment, end)
                budget = max(0, budget - (end - start))
                mustTakeOne = false
                if end < segment.size || budget == 0 { return last }
            }
            index += 1
            if index < segments.count { target = segments[index].baseOffset }
        }
        return last
    }

    /// The index of the last segment whose base offset is at most `offset`.
    func segmentIndex(containing offset: Int64) -> Int {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].baseOffset <= offset { low = middle + 1 } else { high = middle }
        }
        return max(0, low - 1)
    }
}
