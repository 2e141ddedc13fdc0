import KafkaProtocol
import NIOCore

/// Tiered storage (KIP-405): with `remote.storage.enable` the log is one log
/// of two tiers. Closed segments are copied to the remote tier by the broker's
/// remote log manager, which tells the log how far copies reach
/// (`markCopied(through:)`); local retention then deletes only segments
/// copied already, by `local.retention.ms` / `local.retention.bytes`, and the
/// log start offset stays where the remote tier starts. Offsets between the
/// log start and the first local segment are read from the remote tier
/// (`read` throws `offsetMovedToTieredStorage` for them).
extension PartitionLog {
    /// The first offset on local disk (Kafka's local log start offset, ListOffsets -4).
    public var localLogStartOffset: Int64 { lock.withLock { localStartLocked } }

    /// The offset after the last one copied to the remote tier, nil when no copy is known.
    public var remoteEndOffset: Int64? { lock.withLock { copiedEndOffset } }

    var localStartLocked: Int64 { max(startOffset, segments[0].baseOffset) }

    /// Whether the remote tier may hold the log's oldest part.
    var isTieredLocked: Bool { settings.remoteStorageEnable }

    /// Records that every offset below `endOffset` is in the remote tier (the
    /// end of the last segment whose copy finished); never moves back but through `forgetRemoteTier`.
    public func markCopied(through endOffset: Int64) {
        lock.withLock {
            if copiedEndOffset.map({ endOffset > $0 }) ?? true { copiedEndOffset = endOffset }
        }
    }

    /// After the remote tier was emptied (remote storage disabled with
    /// `remote.log.delete.on.disable`): the log starts at its first local offset again.
    public func forgetRemoteTier() throws(LogError) {
        try lock.withLock { () throws(LogError) in
            try checkOpen()
            copiedEndOffset = nil
            try moveStartOffsetLocked(to: segments[0].baseOffset)
        }
    }

    /// The closed segments holding `offset` or after it, oldest first, at most
    /// `limit`, for copying: never the active one, and only those forced to
    /// disk already (below the recovery point), so that recovery after a crash
    /// can never cut a segment the remote tier holds, and only those below
    /// the last stable offset, as Kafka copies. Close each one.
    public func closedSegments(from offset: Int64, limit: Int) throws(LogError) -> [ClosedSegmentCopy] {
        try lock.withLock { () throws(LogError) -> [ClosedSegmentCopy] in
            try checkOpen()
            var result: [ClosedSegmentCopy] = []
            do throws(LogError) {
                for index in segments.indices.dropLast() where result.count < limit {
                    let segment = segments[index]
                    let end = segments[index + 1].baseOffset
                    guard end > offset, segment.size > 0, end <= recoveryPoint, end <= lastStableOffsetLocked else { continue }
                    let snapshotPath = ProducerStateSnapshot.path(end, in: directory)
                    let snapshot = try storage.readWholeFile(snapshotPath, limit: 1 << 30) ?? ByteBuffer()
                    let offsetIndex = try segment.offsetIndex.file.file.read(count: segment.offsetIndex.count * OffsetIndex.entrySize, at: 0)
                    let timeIndex = try segment.timeIndex.file.file.read(count: segment.timeIndex.count * TimeIndex.entrySize, at: 0)
                    result.append(ClosedSegmentCopy(
                        baseOffset: segment.baseOffset, endOffset: end, size: segment.size, largestTimestamp: segment.largestTimestamp,
                        offsetOfLargestTimestamp: segment.offsetOfLargestTimestamp, offsetIndex: offsetIndex, timeIndex: timeIndex,
                        producerSnapshot: snapshot, abortedTransactions: segment.transactionIndex.entries, log: try segment.log.duplicate()))
                }
            } catch {
                result.forEach { $0.close() }
                throw error
            }
            return result
        }
    }

    /// Closes a non-empty active segment older than `segment.ms` so that it
    /// can be copied (Kafka rolls only on append; a tiered log must not wait
    /// for one). Returns whether it rolled.
    @discardableResult
    public func rollIfIdle(now: Int64) throws(LogError) -> Bool {
        try lock.withLock { () throws(LogError) -> Bool in
            try checkOpen()
            let active = activeSegment
            guard active.size > 0, let start = active.rollBaseTime, now - start > settings.segmentMs else { return false }
            try roll(reason: "segment.ms")
            return true
        }
    }

    /// Moves the log start offset forward to `offset` (the remote tier's
    /// retention deleted what was below), deleting local segments entirely below it.
    public func advanceStartOffset(to offset: Int64) throws(LogError) {
        try lock.withLock { () throws(LogError) in
            try checkOpen()
            try moveStartOffsetLocked(to: min(offset, activeSegment.nextOffset))
        }
    }

    /// Bytes of the local segments not (yet) in the remote tier: with the
    /// remote tier's bytes, what `retention.bytes` is compared with.
    public var bytesNotCopied: Int {
        lock.withLock {
            let copied = copiedEndOffset ?? Int64.min
            return segments.indices.reduce(0) { total, index in
                let end = index + 1 < segments.count ? segments[index + 1].baseOffset : Int64.max
                return end <= copied ? total : total + segments[index].size
            }
        }
    }

    /// The offset and timestamp of the first batch with the largest timestamp
    /// among local segments (ListOffsets -3), nil when none has a timestamp.
    public var localMaxTimestamp: TimestampedOffset? {
        lock.withLock {
            var best: TimestampedOffset?
            for segment in segments where segment.nextOffset > startOffset && segment.largestTimestamp >= 0 {
                if best.map({ segment.largestTimestamp > $0.timestamp }) ?? true {
                    best = TimestampedOffset(offset: segment.offsetOfLargestTimestamp, timestamp: segment.largestTimestamp)
                }
            }
            return best
        }
    }

    func moveStartOffsetLocked(to offset: Int64) throws(LogError) {
        guard offset > startOffset else { return }
        startOffset = offset
        try OffsetCheckpoint.write(offset, to: OffsetCheckpoint.logStart, directory: directory, storage: storage)
        _ = try deleteOldestSegments(reason: "log start offset") { _, endOffset in endOffset <= startOffset }
    }

    /// Local retention of a tiered log: only segments whose copy finished go,
    /// past `local.retention.ms` or beyond `local.retention.bytes`; the log start offset stays.
    func applyLocalRetentionLocked(now: Int64) throws(LogError) -> Int {
        guard let copiedEnd = copiedEndOffset else { return 0 }
        let isCopied: (Int64) -> Bool = { endOffset in endOffset <= copiedEnd }
        var deleted = 0
        let retentionMs = settings.effectiveLocalRetentionMs
        if retentionMs >= 0 {
            deleted += try deleteOldestSegments(reason: "local.retention.ms") { (segment, end) throws(LogError) -> Bool in
                guard isCopied(end) else { return false }
                return now - (try segment.retentionTimestamp()) > retentionMs
            }
        }
        let retentionBytes = settings.effectiveLocalRetentionBytes
        if retentionBytes >= 0 {
            var excess = Int64(segments.reduce(0) { $0 + $1.size }) - retentionBytes
            deleted += try deleteOldestSegments(reason: "local.retention.bytes") { segment, end in
                guard isCopied(end), excess >= Int64(segment.size) else { return false }
                excess -= Int64(segment.size)
                return true
            }
        }
        if deleted > 0 {
            // The start is below every local segment now: record it, or the next open would take the first local one.
            try OffsetCheckpoint.write(startOffset, to: OffsetCheckpoint.logStart, directory: directory, storage: storage)
        }
        return deleted
    }
}
