import KafkaProtocol

extension PartitionLog {
    /// Deletes the oldest segments that retention no longer keeps, and returns
    /// how many it deleted; call it periodically (Kafka:
    /// `log.retention.check.interval.ms`, 5 minutes).
    ///
    /// Whole segments only, oldest first: those entirely below the log start
    /// offset; then, if `cleanup.policy` has `delete`, those whose largest
    /// timestamp is older than `retention.ms`, and those that keep the log
    /// above `retention.bytes`. As in Kafka, when the active segment itself is
    /// due it is closed first and a new empty one takes its place, so an idle
    /// log also ages out. The log start offset moves to the first segment kept.
    /// Idle idempotent producers (a day without appends) are forgotten.
    @discardableResult
    public func applyRetention(now: Int64) throws(LogError) -> Int {
        try lock.withLock { () throws(LogError) -> Int in
            try checkOpen()
            var deleted = try deleteOldestSegments(reason: "below the log start offset") { _, endOffset in endOffset <= startOffset }
            if isTieredLocked {
                deleted += try applyLocalRetentionLocked(now: now)
            } else if settings.deletesByRetention && settings.retentionMs >= 0 {
                let retentionMs = settings.retentionMs
                deleted += try deleteOldestSegments(reason: "retention.ms") { (segment, _) throws(LogError) -> Bool in
                    now - (try segment.retentionTimestamp()) > retentionMs
                }
            }
            if !isTieredLocked && settings.deletesByRetention && settings.retentionBytes >= 0 {
                var excess = Int64(segments.reduce(0) { $0 + $1.size }) - settings.retentionBytes
                deleted += try deleteOldestSegments(reason: "retention.bytes") { segment, _ in
                    guard excess >= Int64(segment.size) else { return false }
                    excess -= Int64(segment.size)
                    return true
                }
            }
            producerState.expire(now: now)
            return deleted
        }
    }

    /// Moves the log start offset to `offset` (DeleteRecords) and deletes the
    /// segments entirely below it; returns the log start offset, which never
    /// moves back. Throws `offsetOutOfRange` past the log end offset.
    @discardableResult
    public func deleteRecords(before offset: Int64) throws(LogError) -> Int64 {
        try lock.withLock { () throws(LogError) -> Int64 in
            try checkOpen()
            let endOffset = activeSegment.nextOffset
            guard offset >= 0, offset <= endOffset else {
                throw LogError(.offsetOutOfRange, "cannot delete records before offset \(offset): the log ends at \(endOffset)")
            }
            try moveStartOffsetLocked(to: offset)
            return startOffset
        }
    }

    /// Deletes segments from the oldest while `shouldDelete(segment, its end
    /// offset)` holds; a non-empty active segment is closed first. Moves and
    /// records the log start offset, unless the log is tiered (its older
    /// offsets are in the remote tier, whose retention moves the start).
    func deleteOldestSegments(
        reason: String, while shouldDelete: (Segment, Int64) throws(LogError) -> Bool
    ) throws(LogError) -> Int {
        var deleted = 0
        while let oldest = segments.first {
            let isActive = segments.count == 1
            if isActive && oldest.size == 0 { break }
            guard try shouldDelete(oldest, isActive ? oldest.nextOffset : segments[1].baseOffset) else { break }
            if isActive { try roll(reason: reason) }
            segments.removeFirst()
            try oldest.delete()
            deleted += 1
            logger.info("deleted a segment", metadata: ["baseOffset": "\(oldest.baseOffset)", "reason": "\(reason)"])
        }
        if !isTieredLocked && segments[0].baseOffset > startOffset {
            startOffset = segments[0].baseOffset
            try OffsetCheckpoint.write(startOffset, to: OffsetCheckpoint.logStart, directory: directory, storage: storage)
        }
        return deleted
    }
}
