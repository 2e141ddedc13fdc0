import KafkaProtocol
import Logging

/// Brings a segment found on disk to a consistent state when a log opens.
///
/// - After an unclean shutdown (no `.clean-shutdown` marker), the active
///   segment and every closed segment at or past the recovery point (those
///   not known to be on disk), and after any shutdown, a segment whose
///   indexes are missing or damaged (not whole entries, out of order,
///   pointing past the end of the log or the segment), is scanned from its
///   first batch: each batch's header, length and CRC-32C are checked, the
///   indexes are rebuilt, and the file is cut at the first batch that is
///   torn or corrupt.
/// - The active segment after a clean shutdown is scanned the same way from
///   its last offset index entry only.
/// - Any other closed segment is taken as it is.
enum LogRecovery {
    /// Loads `segment`. `endOffset` is the next segment's base offset (or
    /// `Int64.max` for the active segment): no batch may reach it.
    /// `indexFilesExisted` tells whether both index files were there before
    /// the segment was opened (opening creates missing ones empty).
    static func load(
        _ segment: Segment, isActive: Bool, mustScan: Bool, indexFilesExisted: Bool, endOffset: Int64,
        config: LogConfig, logger: Logger
    ) throws(LogError) {
        let fileSize = try segment.log.size()
        var indexesAreValid = indexFilesExisted || fileSize == 0
        if indexesAreValid { indexesAreValid = try segment.offsetIndex.isValid(logSize: fileSize, endOffset: endOffset) }
        if indexesAreValid {
            // The active segment's time index has entries only next to offset index entries.
            let timeIndexEnd = isActive ? (try segment.offsetIndex.last()?.offset ?? segment.baseOffset) + 1 : endOffset
            indexesAreValid = try segment.timeIndex.isValid(endOffset: timeIndexEnd)
        }
        if !indexesAreValid {
            logger.warning("rebuilding missing or damaged indexes", metadata: ["segment": "\(segment.log.path)"])
        }
        if isActive && !mustScan && indexesAreValid {
            let resumePoint = try segment.offsetIndex.last() ?? OffsetIndex.Entry(offset: segment.baseOffset, position: 0)
            try segment.resume(at: resumePoint)
            let stop = try scan(segment, fileSize: fileSize, endOffset: endOffset, config: config)
            guard let stop, stop.position == resumePoint.position else {
                try truncate(segment, at: stop, fileSize: fileSize, logger: logger)
                return
            }
            logger.warning("the last indexed batch is damaged; rescanning the segment", metadata: ["segment": "\(segment.log.path)"])
        } else if !isActive && !mustScan && indexesAreValid {
            try segment.loadClosed(size: fileSize, nextOffset: endOffset)
            return
        }
        try segment.resetForRecovery()
        let stop = try scan(segment, fileSize: fileSize, endOffset: endOffset, config: config)
        try truncate(segment, at: stop, fileSize: fileSize, logger: logger)
        if !isActive {
            try segment.finishAppends()
            try segment.syncAll()
        }
    }

    /// Where and why a scan stopped before the end of the file.
    struct Stop {
        var position: Int
        var reason: String
    }

    /// Checks and indexes each batch from `segment.size` on; returns where the
    /// first bad one starts, or nil when every byte up to `fileSize` is whole batches.
    private static func scan(_ segment: Segment, fileSize: Int, endOffset: Int64, config: LogConfig) throws(LogError) -> Stop? {
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { chunk.deallocate() }
        var position = segment.size
        while position < fileSize {
            guard let header = try segment.header(at: position) else {
                return Stop(position: position, reason: "a batch header needs \(RecordBatchHeader.size) bytes but \(fileSize - position) remain")
            }
            guard header.magic == 2 else {
                return Stop(position: position, reason: "batch magic is \(header.magic), not 2")
            }
            guard header.totalSize >= RecordBatchHeader.size, header.totalSize <= fileSize - position else {
                return Stop(position: position, reason: "batch length \(header.batchLength) does not fit the \(fileSize - position) bytes left")
            }
            guard header.lastOffsetDelta >= 0, header.baseOffset >= segment.nextOffset,
                  header.baseOffset < endOffset - Int64(header.lastOffsetDelta) else {
                return Stop(position: position, reason: "batch offsets \(header.baseOffset) + \(header.lastOffsetDelta) do not follow offset \(segment.nextOffset) within the segment")
            }
            let crc = try segment.log.checksum(from: position + RecordBatchHeader.crcCoverageStart, to: position + header.totalSize, chunk: chunk)
            guard crc == header.crc else {
                return Stop(position: position, reason: "batch CRC is \(header.crc) but its bytes sum to \(crc)")
            }
            try segment.indexBatch(header, at: position, indexIntervalBytes: config.indexIntervalBytes)
            position += header.totalSize
        }
        return nil
    }

    private static func truncate(_ segment: Segment, at stop: Stop?, fileSize: Int, logger: Logger) throws(LogError) {
        guard let stop else { return }
        logger.warning("truncating a torn or corrupt log tail", metadata: [
            "segment": "\(segment.log.path)",
            "position": "\(stop.position)",
            "bytes": "\(fileSize - stop.position)",
            "fromOffset": "\(segment.nextOffset)",
            "reason": "\(stop.reason)",
        ])
        try segment.truncateLog(to: stop.position)
    }
}
