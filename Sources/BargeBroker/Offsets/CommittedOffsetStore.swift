import FileIO
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The committed offsets of consumer groups, kept durably on disk.
///
/// Each value is keyed by group id, topic and partition, and holds the
/// committed offset, the leader epoch (-1 for none), the client's metadata
/// string (nil and "" kept apart, byte for byte) and the commit timestamp.
///
/// ## Blocking
///
/// Every method is synchronous and blocks on file I/O (`fsync` for each
/// change): call them on the broker's `BlockingIOPool`, never on Swift's
/// cooperative pool. They are thread-safe: one lock guards the state and the
/// file, held across the write and its `fsync`, so changes are serialised and
/// a reader waits for the change in progress.
///
/// ## Layout
///
/// ```
/// <data-dir>/__consumer_offsets/
///   offsets.log        the log of changes (below)
///   offsets.log.tmp    a compaction in progress; removed on open
/// ```
///
/// `offsets.log` is an 8-byte header, `BRGOFS` and the format version
/// (UInt16, 1), then records, each framed as
///
/// ```
/// length  UInt32   bytes of the body
/// crc     UInt32   CRC-32C (Castagnoli) of the body
/// body    type UInt8, then by type:
///   1 commit          group, count UInt32, count × (topic, partition Int32,
///                     offset Int64, leader epoch Int32,
///                     metadata length Int32 (-1: null) and its UTF-8 bytes,
///                     commit timestamp Int64 in ms)
///   2 delete offsets  group, count UInt32, count × (topic, partition Int32)
///   3 delete group    group
///   4 remove topic    topic (its offsets in every group)
/// ```
///
/// Integers are big-endian; a group or topic is a UInt16 length and UTF-8.
/// Types 2 to 4 are tombstones.
///
/// ## Durability
///
/// A change is one record (a whole OffsetCommit batch is one record, so it is
/// all or nothing), appended and fsync'd before the method returns. On open
/// the log is replayed up to the first record that is torn or fails its
/// checksum; the file is cut there (with a warning): a torn record was never
/// acknowledged, and nothing after a corrupt one can be trusted. A file with a foreign header, or a
/// record whose checksum is right but whose body cannot be read, is refused
/// (`.corrupt`) and left alone.
///
/// When the log reaches `compactionMinimumBytes` and is more than four times
/// the size of its live entries, it is rewritten with one commit record per
/// group (temporary file, fsync, rename, fsync of the folder), so it does not
/// grow without bound.
///
/// A failed write is cut off the file again; when the outcome on disk cannot
/// be known (a failed `fsync` or cut, or a compaction that renamed but could
/// not reopen), the store refuses further changes (`.storage`) until it is
/// reopened, which replays what really is on disk.
final class CommittedOffsetStore: Sendable {
    /// Kafka's `offset.metadata.max.bytes` default.
    static let defaultMaxMetadataBytes = 4096
    /// How much larger than its live entries the log may grow before compaction.
    static let compactionRatio = 4

    /// The folder of the store: `<data-dir>/__consumer_offsets`.
    let directory: String
    /// The log file: `<data-dir>/__consumer_offsets/offsets.log`.
    let path: String
    /// `offset.metadata.max.bytes`: the longest metadata string (UTF-8 bytes) a commit may carry.
    let maxMetadataBytes: Int
    /// The log is not compacted below this size.
    let compactionMinimumBytes: Int
    private let logger: Logger
    private let fileSystem: any FileSystemIO
    private let state: NIOLockedValueBox<State>

    private struct State: Sendable {
        var table = OffsetTable()
        /// nil once closed.
        var file: OffsetLogFile?
        /// The end of the last intact record: where the next one is written.
        var fileSize = 0
        /// Why changes are refused, after a failure whose outcome on disk is unknown.
        var failure: String?
    }

    /// Opens (creating it if needed) the store under `<dataDirectory>/__consumer_offsets`
    /// and replays its log (blocking).
    ///
    /// - Parameters:
    ///   - maxMetadataBytes: `offset.metadata.max.bytes`. Default: 4096.
    ///   - compactionMinimumBytes: the log is not compacted below this size. Default: 1 MiB.
    init(
        dataDirectory: String,
        maxMetadataBytes: Int = CommittedOffsetStore.defaultMaxMetadataBytes,
        compactionMinimumBytes: Int = 1 << 20,
        logger: Logger,
        fileSystem: any FileSystemIO = PosixFileSystem()
    ) throws {
        directory = dataDirectory + "/__consumer_offsets"
        path = directory + "/offsets.log"
        self.maxMetadataBytes = maxMetadataBytes
        self.compactionMinimumBytes = compactionMinimumBytes
        self.logger = logger
        self.fileSystem = fileSystem

        let (directory, path) = (directory, path)
        try OffsetLogFile.storage { () throws(FileIOError) in
            try fileSystem.makeDirectories(directory, durably: true)
            try fileSystem.removeIfPresent(path + ".tmp")
        }
        if !fileSystem.exists(path) {
            var header = ByteBuffer()
            header.writeBytes(OffsetLogFormat.header)
            try OffsetLogFile.replace(path, with: header, in: fileSystem)
        }
        let file = try OffsetLogFile.open(path, in: fileSystem)
        var loaded = State(file: file)
        do {
            let bytes = try file.readAll()
            let scan = try OffsetLogFormat.scan(bytes, path: path)
            for record in scan.records { loaded.table.apply(record) }
            loaded.fileSize = scan.validEnd
            if let problem = scan.problem {
                logger.warning(
                    "offsets log has a torn or corrupt tail; cutting it off",
                    metadata: [
                        "path": "\(path)", "problem": "\(problem)",
                        "kept-bytes": "\(scan.validEnd)", "dropped-bytes": "\(bytes.readableBytes - scan.validEnd)",
                    ])
                try file.truncate(to: scan.validEnd)
                try file.sync()
            }
        } catch {
            file.close()
            throw error
        }
        state = NIOLockedValueBox(loaded)
        logger.info(
            "loaded committed offsets",
            metadata: ["groups": "\(loaded.table.groups.count)", "log-bytes": "\(loaded.fileSize)"])
        state.withLockedValue { compactIfDue(&$0) }
    }

    deinit {
        state.withLockedValue { $0.file?.close() }
    }

    /// Closes the file; later changes throw `.storage`, reads still answer from memory.
    func close() {
        state.withLockedValue { state in
            state.file?.close()
            state.file = nil
        }
    }

    // MARK: Reading

    /// The ids of the groups that have committed offsets, sorted.
    var groups: [String] {
        state.withLockedValue { $0.table.groups.keys.sorted() }
    }

    /// The committed offsets of `group`: of the given partitions (those without
    /// a committed offset are absent), or all of them when `partitions` is nil.
    func fetch(group: String, partitions: [TopicPartition]? = nil) -> [TopicPartition: CommittedOffset] {
        let offsets = state.withLockedValue { $0.table.groups[group] } ?? [:]
        guard let partitions else { return offsets }
        var selected: [TopicPartition: CommittedOffset] = [:]
        for partition in partitions {
            if let offset = offsets[partition] { selected[partition] = offset }
        }
        return selected
    }

    /// The size of the log file now, and the size it would have compacted.
    var sizes: (file: Int, compacted: Int) {
        state.withLockedValue { ($0.fileSize, $0.table.compactedSize) }
    }

    // MARK: Changing

    /// Stores `offsets` of `group`, committed at `now` (ms): all of them or,
    /// when this throws, none. Returns once they are on disk.
    ///
    /// Throws `.metadataTooLarge` when a metadata string is longer than
    /// `maxMetadataBytes` (Kafka answers OFFSET_METADATA_TOO_LARGE per
    /// partition and commits the others: check against `maxMetadataBytes`
    /// first to do the same), `.nameTooLong`, or `.storage`.
    func commit(group: String, offsets: [TopicPartition: OffsetAndMetadata], now: Int64) throws {
        for (partition, offset) in offsets {
            let length = offset.metadata?.utf8.count ?? 0
            if length > maxMetadataBytes {
                throw OffsetStoreError(
                    .metadataTooLarge,
                    "metadata of \(length) bytes for \(partition) in group \(group) is longer than offset.metadata.max.bytes (\(maxMetadataBytes))"
                )
            }
        }
        guard !offsets.isEmpty else { return }
        let record = OffsetLogRecord.commit(group: group, offsets: offsets.mapValues { CommittedOffset($0, at: now) })
        try state.withLockedValue { try append([record], to: &$0) }
    }

    /// Removes every offset of `group` (DeleteGroups). Returns whether it had any.
    @discardableResult
    func deleteGroup(_ group: String) throws -> Bool {
        try state.withLockedValue { state in
            guard state.table.groups[group] != nil else { return false }
            try append([.deleteGroup(group)], to: &state)
            return true
        }
    }

    /// Removes these offsets of `group` (OffsetDelete). Returns those it had.
    @discardableResult
    func deleteOffsets(group: String, partitions: [TopicPartition]) throws -> Set<TopicPartition> {
        try state.withLockedValue { state in
            let offsets = state.table.groups[group] ?? [:]
            let present = Set(partitions.filter { offsets[$0] != nil })
            if !present.isEmpty { try append([.deleteOffsets(group: group, partitions: Array(present))], to: &state) }
            return present
        }
    }

    /// Removes the offsets of `topic` from every group (the topic was deleted).
    /// Returns the groups that had some.
    @discardableResult
    func removeTopic(_ topic: String) throws -> Set<String> {
        try state.withLockedValue { state in
            let groups = Set(state.table.groups.filter { $0.value.keys.contains { $0.topic == topic } }.keys)
            if !groups.isEmpty { try append([.removeTopic(topic)], to: &state) }
            return groups
        }
    }

    /// `offsets.retention.minutes` (Kafka's default is 7 days): removes the
    /// offsets of empty groups committed at least `retentionMs` before `now`.
    /// Offsets of groups with members are kept, however old.
    ///
    /// `isGroupEmpty` is called without the store's lock held.
    /// Returns the removed offsets by group.
    @discardableResult
    func expire(
        olderThan retentionMs: Int64, now: Int64, isGroupEmpty: (String) -> Bool
    ) throws -> [String: Set<TopicPartition>] {
        try expire(olderThan: retentionMs, now: now) { isGroupEmpty($0) ? Int64.min : nil }
    }

    /// `offsets.retention.minutes` as Kafka 2.1 and later apply it to groups
    /// with members (KIP-211): an offset expires once `retentionMs` have
    /// passed since the later of its commit and the moment its group became
    /// empty. `emptySince` answers that moment in ms (`Int64.min` when
    /// unknown or for a group that never had members), or nil while the group
    /// has members, whose offsets never expire.
    ///
    /// `emptySince` is called without the store's lock held.
    /// Returns the removed offsets by group.
    @discardableResult
    func expire(
        olderThan retentionMs: Int64, now: Int64, emptySince: (String) -> Int64?
    ) throws -> [String: Set<TopicPartition>] {
        let snapshot = state.withLockedValue { $0.table.groups }
        var since: [String: Int64] = [:]
        for group in snapshot.keys {
            if let moment = emptySince(group) { since[group] = moment }
        }
        func isExpired(_ offset: CommittedOffset, _ group: String) -> Bool {
            guard let emptyAt = since[group] else { return false }
            let (age, overflow) = now.subtractingReportingOverflow(max(offset.commitTimestamp, emptyAt))
            return !overflow && age >= retentionMs
        }
        return try state.withLockedValue { state in
            // Decide on the current values: an offset committed again meanwhile is kept.
            var expired: [String: Set<TopicPartition>] = [:]
            for group in since.keys {
                let gone = (state.table.groups[group] ?? [:]).filter { isExpired($0.value, group) }.keys
                if !gone.isEmpty { expired[group] = Set(gone) }
            }
            let records = expired.sorted { $0.key < $1.key }.map {
                OffsetLogRecord.deleteOffsets(group: $0.key, partitions: Array($0.value))
            }
            if !records.isEmpty {
                try append(records, to: &state)
                logger.info(
                    "expired committed offsets",
                    metadata: ["groups": "\(expired.count)", "offsets": "\(expired.values.map(\.count).reduce(0, +))"])
            }
            return expired
        }
    }

    /// Rewrites the log with only the live offsets now, however large it is.
    func compact() throws {
        try state.withLockedValue { state in
            try usableFile(state)
            try compact(&state)
        }
    }

    // MARK: The log

    @discardableResult
    private func usableFile(_ state: State) throws -> OffsetLogFile {
        if let failure = state.failure {
            throw OffsetStoreError(.storage, "the offsets store refuses changes until reopened, after: \(failure)")
        }
        guard let file = state.file else { throw OffsetStoreError(.storage, "the offsets store at \(path) is closed") }
        return file
    }

    /// Appends `records` with one write and one fsync, then applies them in memory.
    private func append(_ records: [OffsetLogRecord], to state: inout State) throws {
        let file = try usableFile(state)
        var bytes = ByteBuffer()
        for record in records { try OffsetLogFormat.write(record, to: &bytes) }
        do {
            try file.write(bytes, at: state.fileSize)
        } catch {
            do {
                try file.truncate(to: state.fileSize)
            } catch let cut {
                state.failure = "\(error); then \(cut)"
            }
            throw error
        }
        do {
            try file.sync()
        } catch let failed {
            state.failure = failed.message
            throw failed
        }
        state.fileSize += bytes.readableBytes
        for record in records { state.table.apply(record) }
        compactIfDue(&state)
    }

    /// Compacts when the log is due; a failure is logged, since the change that triggered it is on disk.
    private func compactIfDue(_ state: inout State) {
        guard state.failure == nil, state.file != nil, state.fileSize >= compactionMinimumBytes,
            state.fileSize > Self.compactionRatio * state.table.compactedSize
        else { return }
        do {
            try compact(&state)
        } catch {
            logger.error("compacting the offsets log failed", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }

    private func compact(_ state: inout State) throws {
        var bytes = ByteBuffer()
        bytes.writeBytes(OffsetLogFormat.header)
        for record in state.table.compactedRecords { try OffsetLogFormat.write(record, to: &bytes) }
        let before = state.fileSize
        try OffsetLogFile.replace(path, with: bytes, in: fileSystem)
        // The old descriptor now names the replaced file: changes must go to the new one.
        state.file?.close()
        state.file = nil
        do {
            state.file = try OffsetLogFile.open(path, in: fileSystem)
        } catch let failed {
            state.failure = failed.message
            throw failed
        }
        state.fileSize = bytes.readableBytes
        logger.debug("compacted the offsets log", metadata: ["from-bytes": "\(before)", "to-bytes": "\(state.fileSize)"])
    }
}
