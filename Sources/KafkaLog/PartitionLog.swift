#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import FileIO
import KafkaProtocol
import Logging
import NIOCore

/// The log of one partition: record batches stored exactly as received in
/// segment files under one directory, with sparse offset and time indexes,
/// idempotent producer state, retention, and recovery on open.
///
/// Thread-safe through an internal mutex that makes each call atomic. Every
/// method is synchronous and blocks on file I/O (and `fsync`), so call it
/// from a thread pool such as `NIOThreadPool`, never from an event loop or
/// the Swift concurrency pool.
///
/// The files of the directory are described in `LogFileNames`.
public final class PartitionLog: @unchecked Sendable {
    /// The partition leader epoch stamped on every stored batch (the only
    /// change besides the base offset that the log makes to a batch without
    /// `LogAppendTime`). A single-replica log never changes leader, so it is
    /// always 0, Kafka's first leader epoch: report it in Metadata responses.
    public static let leaderEpoch: Int32 = 0

    let directory: String
    let storage: LogStorage
    let logger: Logger
    let lock = Lock()
    // Everything below is guarded by `lock`.
    var settings: LogConfig
    /// Oldest first; the last one is the active segment, the only one appended to.
    var segments: [Segment]
    var startOffset: Int64
    /// The base offset of the first segment not known to be on disk: closed
    /// segments below it were forced to disk (their fsync after a roll runs
    /// in the background, on `segmentFlushQueue`).
    var recoveryPoint: Int64
    var producerState: ProducerStateTable
    /// The offset after the last segment copied to the remote tier (see `PartitionLog+Tiering`).
    var copiedEndOffset: Int64?
    var unflushedMessages: Int64 = 0
    var lastFlushTime: Int64
    var isClosed = false

    init(directory: String, storage: LogStorage, config: LogConfig, logger: Logger, segments: [Segment], startOffset: Int64, producerState: ProducerStateTable) {
        self.directory = directory
        self.storage = storage
        self.settings = config
        self.logger = logger
        self.segments = segments
        self.startOffset = startOffset
        self.recoveryPoint = segments[segments.count - 1].baseOffset
        self.producerState = producerState
        self.lastFlushTime = Self.currentTimeMillis()
    }

    /// Closes the files of a log that was not closed; what was written stays
    /// in the page cache, and the next open checks the tail as after a crash.
    deinit {
        if !isClosed { segments.forEach { $0.close() } }
    }

    /// The first offset that can be read. It moves forward when retention
    /// deletes segments and with DeleteRecords, and survives restarts.
    public var logStartOffset: Int64 { lock.withLock { startOffset } }

    /// The offset the next record will get: the high watermark, as the log has a single replica.
    public var logEndOffset: Int64 { lock.withLock { activeSegment.nextOffset } }

    /// The current settings.
    public var config: LogConfig { lock.withLock { settings } }

    /// The bytes of all segments.
    public var sizeInBytes: Int { lock.withLock { segments.reduce(0) { $0 + $1.size } } }

    var activeSegment: Segment { segments[segments.count - 1] }

    /// Appends batches as one atomic step and returns the offsets they got.
    ///
    /// Each batch must come from `RecordBatch.split` with its CRC verified, and
    /// a client's batch must have passed `RecordBatchValidator` (the log checks
    /// neither again). A batch is written as received except for
    /// its base offset and partition leader epoch; with `LogAppendTime` its
    /// timestamp type and max timestamp are set to `now` and its CRC recomputed.
    ///
    /// Throws `messageTooLarge` for a batch above `max.message.bytes`,
    /// `corruptMessage` for an empty or control batch, `invalidProducerEpoch`
    /// or `outOfOrderSequence` from the idempotent producer checks, and
    /// `storage` when writing fails or an fsync due by `flush.messages` /
    /// `flush.ms` fails (then nothing is appended). A batch that an
    /// idempotent producer appended already is not written again: the result
    /// has its original offsets and `isDuplicate` set.
    ///
    /// - Parameter now: the wall-clock time in milliseconds since the epoch.
    public func append(_ batches: [RecordBatch], now: Int64) throws(LogError) -> LogAppendResult {
        try append(batches.map(StoredBatch.Source.memory), now: now)
    }

    /// Appends batches received into a spool file, as `append(_:now:)` does
    /// for batches in memory: their bytes are copied from the spool by the
    /// kernel, never read into memory (except to recompute the CRC with
    /// `LogAppendTime`). `SpooledRecordBatch.split` has checked them.
    public func append(spooled batches: [SpooledRecordBatch], now: Int64) throws(LogError) -> LogAppendResult {
        try append(batches.map(StoredBatch.Source.spool), now: now)
    }

    private func append(_ batches: [StoredBatch.Source], now: Int64) throws(LogError) -> LogAppendResult {
        try lock.withLock { () throws(LogError) -> LogAppendResult in
            try checkOpen()
            try validate(batches.map(\.header))
            let logAppendTime = settings.messageTimestampType == .logAppendTime ? now : nil
            var pending = producerState
            var stored: [StoredBatch] = []
            var nextOffset = activeSegment.nextOffset
            for batch in batches {
                if case .duplicate(let original) = try pending.check(batch.header) {
                    return LogAppendResult(baseOffset: original.firstOffset, lastOffset: original.lastOffset,
                                           logAppendTime: logAppendTime == nil ? -1 : original.timestamp,
                                           logStartOffset: startOffset, isDuplicate: true)
                }
                let batch = try StoredBatch(batch, baseOffset: nextOffset, leaderEpoch: Self.leaderEpoch, logAppendTime: logAppendTime)
                pending.record(batch.header, appendTime: now)
                stored.append(batch)
                nextOffset = batch.header.lastOffset + 1
            }
            try write(stored, producerState: pending, now: now)
            return LogAppendResult(baseOffset: stored[0].header.baseOffset, lastOffset: nextOffset - 1,
                                   logAppendTime: logAppendTime ?? -1, logStartOffset: startOffset, isDuplicate: false)
        }
    }

    /// Writes batches with offsets assigned to the active segment (rolling
    /// first when due), fsyncs when `flush.messages` or `flush.ms` is due, and
    /// then takes `pending` as the producer state. Nothing is kept when it throws.
    func write(_ stored: [StoredBatch], producerState pending: ProducerStateTable, now: Int64) throws(LogError) {
        try rollIfNeeded(before: stored, now: now)
        let active = activeSegment
        let mark = active.mark()
        try active.append(stored, indexIntervalBytes: settings.indexIntervalBytes, now: now)
        let appendedMessages = stored.reduce(0) { $0 + Int64($1.header.recordCount) }
        unflushedMessages += appendedMessages
        do throws(LogError) {
            try flushIfDueLocked(now: now)
        } catch {
            // An fsync that was due failed: the batches may not be on disk,
            // so they are not acknowledged; they are taken back.
            active.rollBack(to: mark)
            unflushedMessages -= appendedMessages
            throw error
        }
        producerState = pending
    }

    /// Replaces the settings; they apply from the next call on. Turning
    /// `remote.storage.enable` off moves the log start offset to the first
    /// local offset at once (the remote tier's segments are being deleted).
    public func updateConfig(_ config: LogConfig) {
        lock.withLock {
            let leavesRemoteTier = settings.remoteStorageEnable && !config.remoteStorageEnable
            settings = config
            guard leavesRemoteTier, !isClosed else { return }
            copiedEndOffset = nil
            do {
                try moveStartOffsetLocked(to: segments[0].baseOffset)
            } catch {
                logger.error("could not record the log start offset after remote storage was disabled; the next start corrects it",
                             metadata: ["error": "\(error)"])
            }
        }
    }

    /// Forces everything appended so far to disk.
    public func flush() throws(LogError) {
        try lock.withLock { () throws(LogError) in
            try checkOpen()
            try flushLocked(now: Self.currentTimeMillis())
        }
    }

    /// Forces appended data to disk when `flush.ms` has passed since the last
    /// fsync (appends check `flush.messages` and `flush.ms` themselves; call
    /// this periodically so that a quiet log is flushed too).
    public func flushIfDue(now: Int64) throws(LogError) {
        try lock.withLock { () throws(LogError) in
            try checkOpen()
            try flushIfDueLocked(now: now)
        }
    }

    /// Forces everything to disk, records the producer state and a clean
    /// shutdown, and closes the files. Later calls (but `deleteFiles`) throw;
    /// closing again does nothing. File regions already handed out stay readable.
    public func close() throws(LogError) {
        try lock.withLock { () throws(LogError) in
            guard !isClosed else { return }
            isClosed = true
            defer { segments.forEach { $0.close() } }
            try syncSegmentsNotOnDisk()
            try activeSegment.syncAll()
            try activeSegment.transactionIndex.writeIfDirty(storage: storage)
            try OffsetCheckpoint.write(recoveryPoint, to: OffsetCheckpoint.recoveryPoint, directory: directory, storage: storage)
            try ProducerStateSnapshot.write(producerState, asOf: activeSegment.nextOffset, directory: directory, storage: storage)
            try storage.writeAtomically(ByteBuffer(), to: "\(directory)/\(LogFileNames.cleanShutdownMarker)")
        }
    }

    /// Closes the log if open and removes its directory with every file in it (topic deletion).
    public func deleteFiles() throws(LogError) {
        try lock.withLock { () throws(LogError) in
            if !isClosed {
                isClosed = true
                segments.forEach { $0.close() }
            }
            for name in try storage.list(directory) {
                try storage.remove("\(directory)/\(name)")
            }
            try storage.removeDirectory(directory)
        }
    }

    // MARK: Internals, called with the lock held

    func checkOpen() throws(LogError) {
        if isClosed { throw LogError(.storage, "the log in \(directory) is closed") }
    }

    private func validate(_ headers: [RecordBatchHeader]) throws(LogError) {
        guard !headers.isEmpty else { throw LogError(.corruptMessage, "the append holds no record batch") }
        for header in headers {
            guard header.totalSize <= settings.maxMessageBytes else {
                throw LogError(.messageTooLarge, "a record batch of \(header.totalSize) bytes is larger than max.message.bytes (\(settings.maxMessageBytes)); raise max.message.bytes for the topic or send smaller batches")
            }
            guard header.recordCount > 0 else {
                throw LogError(.corruptMessage, "a record batch at producer offset \(header.baseOffset) holds no records")
            }
            guard !header.attributes.isControl else {
                throw LogError(.corruptMessage, "clients may not write control batches")
            }
        }
    }

    /// Closes the active segment first when `batches` would overfill it
    /// (`segment.bytes`), it is older than `segment.ms`, its indexes are full
    /// (`segment.index.bytes`), or an offset would not fit its int32 relative offsets.
    private func rollIfNeeded(before batches: [StoredBatch], now: Int64) throws(LogError) {
        let active = activeSegment
        guard active.size > 0 else { return }
        let incomingBytes = batches.reduce(0) { $0 + $1.header.totalSize }
        let lastOffset = batches[batches.count - 1].header.lastOffset
        let reason: String? =
            if active.size + incomingBytes > settings.segmentBytes { "segment.bytes" }
            else if let start = active.rollBaseTime, now - start > settings.segmentMs { "segment.ms" }
            else if active.indexWouldOverflow(adding: batches.count, segmentIndexBytes: settings.segmentIndexBytes) { "segment.index.bytes" }
            else if lastOffset - active.baseOffset > Int64(Int32.max) { "relative offset range" }
            else { nil }
        if let reason { try roll(reason: reason) }
    }

    /// Closes the active segment (final time index entry, producer snapshot),
    /// starts a new one at the log end offset, and has the closed one forced
    /// to disk in the background, as Kafka does, so that appends do not wait.
    func roll(reason: String) throws(LogError) {
        let closing = activeSegment
        try closing.finishAppends()
        try ProducerStateSnapshot.write(producerState, asOf: closing.nextOffset, directory: directory, storage: storage)
        let segment = try Segment(storage: storage, directory: directory, baseOffset: closing.nextOffset)
        segments.append(segment)
        try storage.syncDirectory(directory)
        logger.info("rolled a new segment", metadata: ["baseOffset": "\(segment.baseOffset)", "reason": "\(reason)"])
        let files = try closing.duplicateFiles()
        let flushedThrough = closing.nextOffset
        Self.segmentFlushQueue.async { self.syncInBackground(files, through: flushedThrough) }
    }

    /// One serial queue for the fsync of closed segments: they complete in
    /// roll order, so the recovery point only moves forward.
    static let segmentFlushQueue = DispatchQueue(label: "barge.log.segment-flush")

    /// Forces a closed segment's files (duplicate descriptors, still valid if
    /// retention deletes it meanwhile) to disk, then moves the recovery point.
    private func syncInBackground(_ files: [LogFile], through offset: Int64) {
        defer { files.forEach { $0.close() } }
        do {
            for file in files { try file.sync() }
            try lock.withLock { () throws(LogError) in
                guard !isClosed, offset > recoveryPoint else { return }
                recoveryPoint = offset
                try OffsetCheckpoint.write(offset, to: OffsetCheckpoint.recoveryPoint, directory: directory, storage: storage)
            }
        } catch {
            logger.warning("could not force a closed segment to disk; it will be checked after a crash",
                           metadata: ["error": "\(error)", "segmentEnd": "\(offset)"])
        }
    }

    /// Forces closed segments not yet known to be on disk, and moves the recovery point to the active segment.
    private func syncSegmentsNotOnDisk() throws(LogError) {
        for segment in segments.dropLast() where segment.nextOffset > recoveryPoint {
            try segment.syncAll()
        }
        recoveryPoint = activeSegment.baseOffset
    }

    private func flushIfDueLocked(now: Int64) throws(LogError) {
        guard unflushedMessages > 0 else { return }
        if unflushedMessages >= settings.flushMessages || now - lastFlushTime >= settings.flushMs {
            try flushLocked(now: now)
        }
    }

    private func flushLocked(now: Int64) throws(LogError) {
        try syncSegmentsNotOnDisk()
        try activeSegment.syncLog()
        unflushedMessages = 0
        lastFlushTime = now
    }

    /// The wall-clock time in milliseconds since the epoch.
    static func currentTimeMillis() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}
