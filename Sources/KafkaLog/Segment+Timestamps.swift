import KafkaProtocol
import NIOCore

extension BatchFile {
    /// Bytes enough for a record's length, attributes, timestamp delta and offset delta (5 + 1 + 10 + 5).
    private static var recordPrefixBytes: Int { 21 }

    /// The first record at or after `minimumOffset` with a timestamp at or
    /// after `target`: the time index gives where to start, then batch headers
    /// are walked to the first batch whose max timestamp reaches `target`.
    func firstRecord(withTimestampAtLeast target: Int64, offsetAtLeast minimumOffset: Int64) throws(LogError) -> TimestampedOffset? {
        let searchFrom = max(try timeIndex.floor(timestamp: target)?.offset ?? baseOffset, minimumOffset)
        guard let start = try batch(containing: searchFrom)?.position else { return nil }
        var found: TimestampedOffset?
        try forEachBatch(from: start) { (position, header) throws(LogError) -> Bool in
            guard header.maxTimestamp >= target, header.lastOffset >= minimumOffset else { return true }
            found = try record(in: header, at: position, withTimestampAtLeast: target, offsetAtLeast: minimumOffset)
            return false
        }
        return found
    }

    /// Finds the record inside an uncompressed `CreateTime` batch by reading
    /// each record's prefix; other batches (and malformed records) answer with
    /// the batch's first offset and max timestamp.
    private func record(
        in header: RecordBatchHeader, at position: Int, withTimestampAtLeast target: Int64, offsetAtLeast minimumOffset: Int64
    ) throws(LogError) -> TimestampedOffset {
        let batchAnswer = TimestampedOffset(offset: max(header.baseOffset, minimumOffset), timestamp: header.maxTimestamp)
        let attributes = header.attributes
        guard attributes.compression == .none, !attributes.isLogAppendTime, !attributes.isControl else { return batchAnswer }
        let end = position + header.totalSize
        var recordPosition = position + RecordBatchHeader.size
        while recordPosition < end {
            var prefix = try readBytes(count: min(Self.recordPrefixBytes, end - recordPosition), at: recordPosition)
            let available = prefix.readableBytes
            guard let length = try? prefix.readKafkaVarint(), length > 0 else { return batchAnswer }
            let lengthSize = available - prefix.readableBytes
            guard (try? prefix.readKafkaInt8()) != nil,
                  let timestampDelta = try? prefix.readKafkaVarlong(),
                  let offsetDelta = try? prefix.readKafkaVarint()
            else { return batchAnswer }
            let offset = header.baseOffset + Int64(offsetDelta)
            let timestamp = header.baseTimestamp &+ timestampDelta
            if timestamp >= target && offset >= minimumOffset { return TimestampedOffset(offset: offset, timestamp: timestamp) }
            recordPosition += lengthSize + Int(length)
        }
        return batchAnswer
    }
}

extension Segment {
    /// The timestamp retention compares with `retention.ms`: the largest batch
    /// timestamp, or the file's modification time when no batch has one.
    func retentionTimestamp() throws(LogError) -> Int64 {
        largestTimestamp >= 0 ? largestTimestamp : try log.modificationTime()
    }
}
