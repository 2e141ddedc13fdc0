import KafkaProtocol
import NIOCore

/// One segment of a partition log: `<base offset>.log` holding record batches
/// exactly as stored, from `baseOffset` on, with its sparse `.index` and
/// `.timeindex`, and the aborted transactions whose markers it holds
/// (`.txnindex`, see `TransactionIndex`). Not thread-safe: `PartitionLog` owns it under its lock.
final class Segment: BatchFile {
    let baseOffset: Int64
    let storage: LogStorage
    let log: LogFile
    private(set) var offsetIndex: OffsetIndex
    private(set) var timeIndex: TimeIndex
    /// The aborted transactions whose markers are in this segment.
    var transactionIndex: TransactionIndex
    /// Bytes of whole batches in the log file; appends go here.
    private(set) var size = 0
    /// The offset after the last batch (the base offset while empty).
    private(set) var nextOffset: Int64
    /// The largest batch timestamp in the segment, -1 when none has one.
    private(set) var largestTimestamp: Int64 = -1
    /// The base offset of the first batch with `largestTimestamp`.
    private(set) var offsetOfLargestTimestamp: Int64
    /// When the segment started filling (milliseconds since the epoch), for `segment.ms`.
    var rollBaseTime: Int64?
    private var bytesSinceLastIndexEntry = 0

    /// Opens the three files of the segment at `baseOffset`, creating missing ones.
    /// `size` and the other statistics are those of an empty segment until `LogRecovery` loads them.
    init(storage: LogStorage, directory: String, baseOffset: Int64) throws(LogError) {
        self.storage = storage
        let name = LogFileNames.segment(baseOffset)
        self.baseOffset = baseOffset
        self.nextOffset = baseOffset
        self.offsetOfLargestTimestamp = baseOffset
        let log = try storage.open("\(directory)/\(name).log")
        let offsetIndex: OffsetIndex
        do {
            offsetIndex = try OffsetIndex(storage: storage, path: "\(directory)/\(name).index", baseOffset: baseOffset)
        } catch {
            log.close()
            throw error
        }
        do {
            self.timeIndex = try TimeIndex(storage: storage, path: "\(directory)/\(name).timeindex", baseOffset: baseOffset)
            self.transactionIndex = try TransactionIndex(path: "\(directory)/\(name)\(LogFileNames.transactionIndexSuffix)", storage: storage)
        } catch {
            log.close()
            offsetIndex.file.file.close()
            throw error
        }
        self.offsetIndex = offsetIndex
        self.log = log
    }

    var sourceName: String { log.path }

    /// The paths of the segment's files (the transaction index's whether it exists or not).
    var paths: [String] { [log.path, offsetIndex.file.file.path, timeIndex.file.file.path, transactionIndex.path] }

    // MARK: Appending

    /// Writes `batches` after the last one with a single gather write, then
    /// indexes them. On failure the files are cut back to what they were.
    func append(_ batches: [StoredBatch], indexIntervalBytes: Int, now: Int64) throws(LogError) {
        let mark = self.mark()
        do {
            try StoredBatch.write(batches, to: log, at: mark.size)
            var position = mark.size
            for batch in batches {
                try indexBatch(batch.header, at: position, indexIntervalBytes: indexIntervalBytes)
                position += batch.header.totalSize
            }
        } catch {
            rollBack(to: mark)
            throw error
        }
        if rollBaseTime == nil { rollBaseTime = now }
    }

    /// Where appends stand: what `rollBack(to:)` returns to.
    struct AppendMark {
        fileprivate let size: Int
        fileprivate let nextOffset: Int64
        fileprivate let largestTimestamp: Int64
        fileprivate let offsetOfLargestTimestamp: Int64
        fileprivate let bytesSinceLastIndexEntry: Int
        fileprivate let indexCounts: (offsets: Int, times: Int)
        fileprivate let rollBaseTime: Int64?
    }

    /// The state of appends now.
    func mark() -> AppendMark {
        AppendMark(size: size, nextOffset: nextOffset, largestTimestamp: largestTimestamp,
                   offsetOfLargestTimestamp: offsetOfLargestTimestamp, bytesSinceLastIndexEntry: bytesSinceLastIndexEntry,
                   indexCounts: (offsetIndex.count, timeIndex.count), rollBaseTime: rollBaseTime)
    }

    /// Undoes the appends after `mark`: the files are cut back (as far as the
    /// disk lets them; recovery checks a tail left behind) and the statistics restored.
    func rollBack(to mark: AppendMark) {
        try? log.truncate(to: mark.size)
        try? offsetIndex.truncate(toCount: mark.indexCounts.offsets)
        try? timeIndex.truncate(toCount: mark.indexCounts.times)
        size = mark.size
        nextOffset = mark.nextOffset
        largestTimestamp = mark.largestTimestamp
        offsetOfLargestTimestamp = mark.offsetOfLargestTimestamp
        bytesSinceLastIndexEntry = mark.bytesSinceLastIndexEntry
        rollBaseTime = mark.rollBaseTime
    }

    /// Accounts for the batch at `position` (just written, or found by recovery):
    /// statistics, and index entries every `indexIntervalBytes`.
    func indexBatch(_ header: RecordBatchHeader, at position: Int, indexIntervalBytes: Int) throws(LogError) {
        if header.maxTimestamp > largestTimestamp {
            largestTimestamp = header.maxTimestamp
            offsetOfLargestTimestamp = header.baseOffset
        }
        if bytesSinceLastIndexEntry > indexIntervalBytes {
            try offsetIndex.append(offset: header.baseOffset, position: position)
            if largestTimestamp >= 0 {
                try timeIndex.appendIfNewer(timestamp: largestTimestamp, offset: offsetOfLargestTimestamp)
            }
            bytesSinceLastIndexEntry = 0
        }
        bytesSinceLastIndexEntry += header.totalSize
        size = position + header.totalSize
        nextOffset = header.lastOffset + 1
    }

    /// Whether `incoming` more batches need more index entries than `segment.index.bytes` allows.
    func indexWouldOverflow(adding incoming: Int, segmentIndexBytes: Int) -> Bool {
        offsetIndex.count + incoming > segmentIndexBytes / OffsetIndex.entrySize
            || timeIndex.count + incoming + 1 > segmentIndexBytes / TimeIndex.entrySize
    }

    /// Ends appends to the segment: records its largest timestamp in the
    /// time index and writes its transaction index.
    func finishAppends() throws(LogError) {
        if largestTimestamp >= 0 {
            try timeIndex.appendIfNewer(timestamp: largestTimestamp, offset: offsetOfLargestTimestamp)
        }
        try transactionIndex.writeIfDirty(storage: storage)
    }

    // MARK: Recovery

    /// Forgets the indexes and statistics before a scan from the first batch.
    func resetForRecovery() throws(LogError) {
        try offsetIndex.truncate(toCount: 0)
        try timeIndex.truncate(toCount: 0)
        size = 0
        nextOffset = baseOffset
        largestTimestamp = -1
        offsetOfLargestTimestamp = baseOffset
        bytesSinceLastIndexEntry = 0
    }

    /// Resumes from the last index entry, trusting what came before it: the
    /// batch at `entry` is the next one to account for.
    func resume(at entry: OffsetIndex.Entry) throws(LogError) {
        size = entry.position
        nextOffset = entry.offset
        if let last = try timeIndex.last() {
            largestTimestamp = last.timestamp
            offsetOfLargestTimestamp = last.offset
        }
        bytesSinceLastIndexEntry = 0
    }

    /// Takes a closed segment with valid indexes as it is.
    func loadClosed(size: Int, nextOffset: Int64) throws(LogError) {
        self.size = size
        self.nextOffset = nextOffset
        if let last = try timeIndex.last() {
            largestTimestamp = last.timestamp
            offsetOfLargestTimestamp = last.offset
        }
    }

    /// Cuts the log file to `size` (the end of the last whole batch).
    func truncateLog(to size: Int) throws(LogError) {
        try log.truncate(to: size)
        self.size = size
    }

    // MARK: Reading

    /// Reads up to `count` bytes at `position` of the log file.
    func readBytes(count: Int, at position: Int) throws(LogError) -> ByteBuffer {
        try log.read(count: count, at: position)
    }

    /// The transaction marker of the control batch at `position`; nil when
    /// its record is not a marker this log knows.
    func controlRecord(at position: Int, header: RecordBatchHeader) throws(LogError) -> ControlRecord? {
        let bytes = try readBytes(count: header.totalSize, at: position)
        do {
            guard let batch = try RecordBatch.split(bytes).first, let record = try batch.records().first else { return nil }
            return ControlRecord(key: record.key, value: record.value)
        } catch {
            throw LogError(.storage, "\(sourceName) has a control batch at position \(position) that cannot be read: \(error)")
        }
    }

    /// Bytes `start..<end` of the log file for sending: a region on its own
    /// duplicate descriptor, which the caller closes (or the bytes, for a file in memory).
    func records(from start: Int, to end: Int) throws(LogError) -> [KafkaRecords.Part] {
        [try log.records(from: start, to: end)]
    }

    // MARK: Files

    /// Forces the log file to disk.
    func syncLog() throws(LogError) {
        try log.sync()
    }

    /// Forces the log file and both indexes to disk.
    func syncAll() throws(LogError) {
        try log.sync()
        try offsetIndex.file.file.sync()
        try timeIndex.file.file.sync()
    }

    /// Duplicate handles of the three files, for forcing them to disk
    /// without the log's lock; the caller closes them.
    func duplicateFiles() throws(LogError) -> [LogFile] {
        var copies: [LogFile] = []
        do {
            for file in [log, offsetIndex.file.file, timeIndex.file.file] {
                copies.append(try file.duplicate())
            }
        } catch {
            copies.forEach { $0.close() }
            throw error
        }
        return copies
    }

    /// Closes the three files. Regions handed out keep their own descriptors.
    func close() {
        for file in [log, offsetIndex.file.file, timeIndex.file.file] { file.close() }
    }

    /// Closes and unlinks the segment's files.
    func delete() throws(LogError) {
        close()
        for path in paths { try storage.remove(path) }
    }
}
