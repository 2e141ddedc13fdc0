import FileIO
import KafkaProtocol
import Logging

extension PartitionLog {
    /// Opens the log in `directory`, creating the directory and an empty log if
    /// needed, or recovering an existing one: leftover temporary files and
    /// orphan indexes are removed; segments are loaded and checked by
    /// `LogRecovery` (a torn or corrupt tail is cut off, with a warning; after
    /// a crash, every segment past the recovery point is checked);
    /// the log start offset is read from its checkpoint; and the idempotent
    /// producer state is loaded from the newest snapshot and brought up to date
    /// by replaying the batch headers after it (normally only the active segment).
    ///
    /// - Parameter fileSystem: where the files are; tests pass an `InMemoryFileSystem` to make the disk fail.
    public static func open(
        directory: String, config: LogConfig, logger: Logger, fileSystem: any FileSystemIO = PosixFileSystem()
    ) throws(LogError) -> PartitionLog {
        let storage = LogStorage(fileSystem: fileSystem)
        var logger = logger
        logger[metadataKey: "log"] = "\(directory)"
        try storage.makeDirectories(directory)
        let names = try storage.list(directory)
        for name in names where name.hasSuffix(LogFileNames.temporarySuffix) {
            try storage.remove("\(directory)/\(name)")
        }
        let wasCleanShutdown = names.contains(LogFileNames.cleanShutdownMarker)
        let baseOffsets = names.compactMap { LogFileNames.offset(in: $0, suffix: LogFileNames.logSuffix) }.sorted()
        for name in names {
            let indexed = LogFileNames.offset(in: name, suffix: LogFileNames.offsetIndexSuffix)
                ?? LogFileNames.offset(in: name, suffix: LogFileNames.timeIndexSuffix)
                ?? LogFileNames.offset(in: name, suffix: LogFileNames.transactionIndexSuffix)
            if let indexed, !baseOffsets.contains(indexed) { try storage.remove("\(directory)/\(name)") }
        }

        var segments: [Segment] = []
        do {
            let recoveryCheckpoint = try OffsetCheckpoint.read(OffsetCheckpoint.recoveryPoint, directory: directory, storage: storage) ?? 0
            for (index, baseOffset) in baseOffsets.enumerated() {
                let segment = try Segment(storage: storage, directory: directory, baseOffset: baseOffset)
                segments.append(segment)
                let isActive = index == baseOffsets.count - 1
                let stem = LogFileNames.segment(baseOffset)
                let indexFilesExisted = names.contains(stem + LogFileNames.offsetIndexSuffix)
                    && names.contains(stem + LogFileNames.timeIndexSuffix)
                let endOffset = isActive ? Int64.max : baseOffsets[index + 1]
                try LogRecovery.load(segment, isActive: isActive, mustScan: !wasCleanShutdown && endOffset > recoveryCheckpoint,
                                     indexFilesExisted: indexFilesExisted, endOffset: endOffset, config: config, logger: logger)
            }
            let checkpoint = try OffsetCheckpoint.read(OffsetCheckpoint.logStart, directory: directory, storage: storage)
            if segments.isEmpty {
                segments.append(try Segment(storage: storage, directory: directory, baseOffset: checkpoint ?? 0))
                try storage.syncDirectory(directory)
            }
            let active = segments[segments.count - 1]
            if active.size > 0, let first = try active.header(at: 0), first.maxTimestamp >= 0 {
                active.rollBaseTime = first.maxTimestamp
            }
            let endOffset = active.nextOffset
            // A tiered log starts in the remote tier, below its first local segment.
            let localStart = config.remoteStorageEnable ? (checkpoint ?? segments[0].baseOffset) : segments[0].baseOffset
            let startOffset = min(max(checkpoint ?? 0, localStart), endOffset)
            let producerState = try loadProducerState(segments: segments, endOffset: endOffset,
                                                      directory: directory, storage: storage, names: names, logger: logger)
            if active.baseOffset != recoveryCheckpoint {
                try OffsetCheckpoint.write(active.baseOffset, to: OffsetCheckpoint.recoveryPoint, directory: directory, storage: storage)
            }
            if wasCleanShutdown {
                try storage.remove("\(directory)/\(LogFileNames.cleanShutdownMarker)")
                try storage.syncDirectory(directory)
            }
            logger.debug("opened log", metadata: [
                "segments": "\(segments.count)", "logStartOffset": "\(startOffset)", "logEndOffset": "\(endOffset)",
                "cleanShutdown": "\(wasCleanShutdown)", "producers": "\(producerState.producers.count)",
            ])
            return PartitionLog(directory: directory, storage: storage, config: config, logger: logger, segments: segments,
                                startOffset: startOffset, producerState: producerState)
        } catch {
            segments.forEach { $0.close() }
            throw error
        }
    }

    /// The newest readable snapshot at or below `endOffset` (damaged and
    /// too-new ones are removed), then every batch after it. The aborted
    /// transactions after the snapshot are derived again from the markers
    /// replayed; a damaged transaction index makes the replay start at or
    /// before its segment.
    private static func loadProducerState(
        segments: [Segment], endOffset: Int64, directory: String, storage: LogStorage, names: [String], logger: Logger
    ) throws(LogError) -> ProducerStateTable {
        var table = ProducerStateTable()
        var replayFrom = segments[0].baseOffset
        let damaged = segments.first { $0.transactionIndex.wasDamaged }
        if let damaged {
            logger.warning("rebuilding a damaged transaction index from the log", metadata: ["segment": "\(damaged.log.path)"])
        }
        let newestUsable = damaged?.baseOffset ?? endOffset
        for offset in ProducerStateSnapshot.offsets(in: names) {
            if offset <= endOffset, offset > newestUsable { continue }
            if offset <= endOffset, let loaded = try ProducerStateSnapshot.read(offset, directory: directory, storage: storage) {
                table = loaded
                replayFrom = offset
                break
            }
            logger.warning("removing a producer state snapshot that is damaged or past the log end",
                           metadata: ["snapshotOffset": "\(offset)", "logEndOffset": "\(endOffset)"])
            try storage.remove(ProducerStateSnapshot.path(offset, in: directory))
        }
        let now = currentTimeMillis()
        for segment in segments where segment.nextOffset > replayFrom {
            segment.transactionIndex.removeEntries(from: replayFrom)
            let start = segment.baseOffset >= replayFrom ? 0 : try segment.batch(containing: replayFrom)?.position
            guard let start else { continue }
            try segment.forEachBatch(from: start) { position, header throws(LogError) in
                guard header.baseOffset >= replayFrom else { return true }
                if header.attributes.isControl {
                    if let marker = try segment.controlRecord(at: position, header: header),
                       let aborted = table.completeTransaction(producerId: header.producerId, epoch: header.producerEpoch,
                                                               kind: marker.kind, offset: header.baseOffset, appendTime: now) {
                        segment.transactionIndex.append(aborted)
                    }
                } else {
                    table.record(header, appendTime: now)
                }
                return true
            }
        }
        for segment in segments.dropLast() { try segment.transactionIndex.writeIfDirty(storage: storage) }
        return table
    }
}
