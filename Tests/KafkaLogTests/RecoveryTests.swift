@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

/// How a log was left before it is opened again.
enum Shutdown: CaseIterable, Sendable {
    /// `close()`: everything synced and the clean-shutdown marker written.
    case clean
    /// The process went away: files closed without syncing, no marker.
    case crash

    func end(_ log: PartitionLog) throws {
        switch self {
        case .clean: try log.close()
        case .crash: log.segments.forEach { $0.close() }; log.isClosed = true
        }
    }
}

/// The files of a directory, to put back before each case.
struct DirectoryCopy {
    var files: [String: [UInt8]] = [:]

    init(_ directory: String) throws {
        for name in try fileNames(directory) {
            let path = "\(directory)/\(name)"
            files[name] = try readFile(path)
        }
    }

    func restore(to directory: String) throws {
        try testStorage.makeDirectories(directory)
        for (name, bytes) in files {
            let file = try testStorage.open("\(directory)/\(name)")
            defer { file.close() }
            try file.truncate(to: 0)
            try bytes.withUnsafeBytes { try file.write([$0], at: 0) }
        }
    }
}

func readFile(_ path: String) throws -> [UInt8] {
    let file = try testStorage.open(path)
    defer { file.close() }
    return Array(try file.read(count: try file.size(), at: 0).readableBytesView)
}

@Suite struct RecoveryTests {
    /// Three batches in one segment; returns them with their offsets.
    private func writeThreeBatches(_ directory: String, indexIntervalBytes: Int, shutdown: Shutdown) throws -> [(RecordBatch, Int64)] {
        let log = try openLog(directory) { $0.indexIntervalBytes = indexIntervalBytes }
        let batches = try [makeBatch(count: 2), makeBatch(count: 3, seed: 1), makeBatch(count: 4, valueSize: 30, seed: 2)].map {
            ($0, try log.append([$0], now: 1).baseOffset)
        }
        try shutdown.end(log)
        return batches
    }

    @Test(arguments: Shutdown.allCases, [0, 4096])
    func aTruncatedLastBatchIsCutOffAtEveryByte(shutdown: Shutdown, indexIntervalBytes: Int) throws {
        try withTemporaryDirectory { original in
            let batches = try writeThreeBatches(original, indexIntervalBytes: indexIntervalBytes, shutdown: shutdown)
            let copy = try DirectoryCopy(original)
            let kept = storedBytes(batches[0].0, at: 0) + storedBytes(batches[1].0, at: 2)
            let lastSize = batches[2].0.header.totalSize
            for cut in 0..<lastSize {
                try withTemporaryDirectory { directory in
                    try copy.restore(to: directory)
                    let logPath = segmentPath(directory, 0, ".log")
                    try truncateFile(logPath, to: kept.count + cut)
                    let handler = CollectingLogHandler()
                    let log = try openLog(directory, logger: handler.logger) { $0.indexIntervalBytes = indexIntervalBytes }
                    #expect(log.logEndOffset == 5, "cut \(cut)")
                    #expect(try fileSize(logPath) == kept.count)
                    #expect(try readBytes(log.read(from: 0, maxBytes: .max, minOneBatch: true).records) == kept)
                    let truncation = handler.warnings.first { $0.message.contains("truncating") }
                    if cut == 0 {
                        #expect(truncation == nil)
                    } else {
                        #expect(truncation?.metadata["bytes"] == "\(cut)" && truncation?.metadata["position"] == "\(kept.count)", "cut \(cut)")
                    }

                    let again = try makeBatch(count: 2, seed: 7)
                    #expect(try log.append([again], now: 1).baseOffset == 5)
                    try Shutdown.crash.end(log)
                    let reopened = try openLog(directory) { $0.indexIntervalBytes = indexIntervalBytes }
                    #expect(try readBytes(reopened.read(from: 0, maxBytes: .max, minOneBatch: true).records) == kept + storedBytes(again, at: 5))
                    #expect(try readHeaders(reopened, from: 6, maxBytes: 1).map(\.baseOffset) == [5])
                    try reopened.close()
                }
            }
        }
    }

    @Test(arguments: Shutdown.allCases)
    func aCorruptByteInTheLastBatchCutsItOff(shutdown: Shutdown) throws {
        try withTemporaryDirectory { original in
            let batches = try writeThreeBatches(original, indexIntervalBytes: 4096, shutdown: shutdown)
            let copy = try DirectoryCopy(original)
            let keptSize = batches[0].0.header.totalSize + batches[1].0.header.totalSize
            for position in stride(from: RecordBatchHeader.crcCoverageStart - 4, to: batches[2].0.header.totalSize, by: 7) {
                try withTemporaryDirectory { directory in
                    try copy.restore(to: directory)
                    let logPath = segmentPath(directory, 0, ".log")
                    let byte = try readFile(logPath)[keptSize + position]
                    try overwrite(logPath, at: keptSize + position, with: [byte ^ 0x40])
                    let handler = CollectingLogHandler()
                    let log = try openLog(directory, logger: handler.logger)
                    #expect(log.logEndOffset == 5, "byte \(position)")
                    #expect(try fileSize(logPath) == keptSize)
                    let reason = handler.warnings.first { $0.message.contains("truncating") }?.metadata["reason"]
                    #expect(reason.map { "\($0)".contains("CRC") } == true, "byte \(position): \(String(describing: reason))")
                    try log.close()
                }
            }
        }
    }

    @Test(arguments: [Int64.max, 0, 2])
    func aTailBatchWithImpossibleOffsetsIsCutOff(baseOffset: Int64) throws {
        try withTemporaryDirectory { directory in
            let batches = try writeThreeBatches(directory, indexIntervalBytes: 4096, shutdown: .crash)
            let keptSize = batches[0].0.header.totalSize + batches[1].0.header.totalSize
            try overwrite(segmentPath(directory, 0, ".log"), at: keptSize, with: withUnsafeBytes(of: baseOffset.bigEndian) { Array($0) })
            let handler = CollectingLogHandler()
            let log = try openLog(directory, logger: handler.logger)
            #expect(log.logEndOffset == 5)
            #expect(handler.warnings.contains { "\($0.metadata["reason"] ?? "")".contains("do not follow") })
            try log.close()
        }
    }

    @Test func zerosAfterTheLastBatchAreCutOff() throws {
        try withTemporaryDirectory { directory in
            _ = try writeThreeBatches(directory, indexIntervalBytes: 4096, shutdown: .clean)
            let logPath = segmentPath(directory, 0, ".log")
            let size = try fileSize(logPath)
            try overwrite(logPath, at: size, with: [UInt8](repeating: 0, count: 4096))
            let log = try openLog(directory)
            #expect(log.logEndOffset == 9)
            #expect(try fileSize(logPath) == size)
            try log.close()
        }
    }

    @Test func anUncleanShutdownKeepsEverythingWritten() throws {
        try withTemporaryDirectory { directory in
            let batches = try writeThreeBatches(directory, indexIntervalBytes: 0, shutdown: .crash)
            #expect(!(try fileNames(directory)).contains(LogFileNames.cleanShutdownMarker))
            let log = try openLog(directory)
            #expect(log.logEndOffset == 9)
            let expected = batches.flatMap { storedBytes($0.0, at: $0.1) }
            #expect(try readBytes(log.read(from: 0, maxBytes: .max, minOneBatch: true).records) == expected)
            try log.close()
        }
    }

    /// A log of several segments with dense indexes, shut down as given.
    private func writeSegments(_ directory: String, shutdown: Shutdown) throws {
        let log = try openLog(directory) { $0.segmentBytes = 2_000; $0.indexIntervalBytes = 100 }
        for index in 0..<60 {
            _ = try log.append([try makeBatch(count: 1 + index % 3, valueSize: 20, timestamp: 1_000 + Int64(index) * 10, seed: UInt8(index))], now: 1)
        }
        try shutdown.end(log)
    }

    @Test(arguments: Shutdown.allCases, IndexDamage.allCases)
    func missingOrDamagedIndexesAreRebuilt(shutdown: Shutdown, damage: IndexDamage) throws {
        try withTemporaryDirectory { directory in
            try writeSegments(directory, shutdown: shutdown)
            let indexes = try fileNames(directory).filter { $0.hasSuffix(".index") || $0.hasSuffix(".timeindex") }
            #expect(indexes.count > 6)
            let originals = try Dictionary(uniqueKeysWithValues: indexes.map { ($0, try readFile("\(directory)/\($0)")) })
            let original = try DirectoryCopy(directory)
            for index in indexes where originals[index]!.count >= 24 {
                try withTemporaryDirectory { damaged in
                    try original.restore(to: damaged)
                    try damage.apply(to: "\(damaged)/\(index)")
                    let handler = CollectingLogHandler()
                    let log = try openLog(damaged, logger: handler.logger) { $0.segmentBytes = 2_000; $0.indexIntervalBytes = 100 }
                    #expect(handler.warnings.contains { $0.message.contains("rebuilding") && "\($0.metadata["segment"] ?? "")".contains(index.prefix(20)) },
                            "\(damage) \(index)")
                    for rebuilt in indexes {
                        #expect(try readFile("\(damaged)/\(rebuilt)") == originals[rebuilt], "\(damage) \(index): \(rebuilt)")
                    }
                    #expect(try readHeaders(log, from: 77, maxBytes: 1).first.map { $0.baseOffset...$0.lastOffset }?.contains(77) == true)
                    #expect(try log.offset(forTimestamp: 1_300)?.timestamp == 1_300)
                    try log.close()
                }
            }
        }
    }

    @Test func closedSegmentsAreForcedToDiskInTheBackgroundAndMoveTheRecoveryPoint() throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch().header.totalSize
            let log = try openLog(directory) { $0.segmentBytes = 2 * size }
            for _ in 0..<5 { _ = try log.append([try makeBatch()], now: 1) }
            PartitionLog.segmentFlushQueue.sync {}
            #expect(try OffsetCheckpoint.read(OffsetCheckpoint.recoveryPoint, directory: directory, storage: testStorage) == 4)
            #expect(log.recoveryPoint == 4)
            try log.close()
        }
    }

    @Test(arguments: [0, 4] as [Int64])
    func afterACrashClosedSegmentsPastTheRecoveryPointAreChecked(recoveryPoint: Int64) throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch().header.totalSize
            let configure: (inout LogConfig) -> Void = { $0.segmentBytes = 2 * size }
            let log = try openLog(directory, configure)
            for _ in 0..<5 { _ = try log.append([try makeBatch()], now: 1) }
            PartitionLog.segmentFlushQueue.sync {}
            try Shutdown.crash.end(log)
            try OffsetCheckpoint.write(recoveryPoint, to: OffsetCheckpoint.recoveryPoint, directory: directory, storage: testStorage)
            // Damage the second batch of segment 2 (offset 3).
            try overwrite(segmentPath(directory, 2, ".log"), at: size + size - 1, with: [0xEE])

            let handler = CollectingLogHandler()
            let reopened = try openLog(directory, logger: handler.logger, configure)
            let truncations = handler.warnings.filter { $0.message.contains("truncating") }
            #expect(reopened.logEndOffset == 5)
            if recoveryPoint == 0 {
                #expect(truncations.count == 1 && "\(truncations.first?.metadata["segment"] ?? "")".hasSuffix("00000000000000000002.log"))
                #expect(try fileSize(segmentPath(directory, 2, ".log")) == size)
                #expect(try readHeaders(reopened, from: 0).map(\.baseOffset) == [0, 1, 2, 4], "offset 3 is gone; reads go on at the next segment")
                #expect(try readHeaders(reopened, from: 3).map(\.baseOffset) == [4])
                #expect(try OffsetCheckpoint.read(OffsetCheckpoint.recoveryPoint, directory: directory, storage: testStorage) == 4)
            } else {
                #expect(truncations.isEmpty, "segments below the recovery point are trusted")
                #expect(try fileSize(segmentPath(directory, 2, ".log")) == 2 * size)
            }
            try reopened.close()
        }
    }

    @Test func leftoverTemporaryFilesAndOrphanIndexesAreRemoved() throws {
        try withTemporaryDirectory { directory in
            _ = try writeThreeBatches(directory, indexIntervalBytes: 4096, shutdown: .clean)
            let orphan = segmentPath(directory, 500, ".index")
            try overwrite(orphan, at: 0, with: [1, 2, 3])
            try overwrite("\(directory)/\(OffsetCheckpoint.logStart).tmp", at: 0, with: [1])
            let log = try openLog(directory)
            let names = try fileNames(directory)
            #expect(!names.contains { $0.hasSuffix(".tmp") } && !testStorage.fileSystem.exists(orphan))
            #expect(log.logEndOffset == 9)
            try log.close()
        }
    }
}

/// Ways an index file gets damaged.
enum IndexDamage: CaseIterable, Sendable {
    case deleted, cutInsideAnEntry, entriesOutOfOrder, pointingPastTheEnd

    func apply(to path: String) throws {
        let entrySize = path.hasSuffix(".timeindex") ? TimeIndex.entrySize : OffsetIndex.entrySize
        switch self {
        case .deleted:
            try testStorage.remove(path)
        case .cutInsideAnEntry:
            try truncateFile(path, to: try fileSize(path) - 3)
        case .entriesOutOfOrder:
            let bytes = try readFile(path)
            try overwrite(path, at: 0, with: Array(bytes[entrySize..<(2 * entrySize)] + bytes[0..<entrySize]))
        case .pointingPastTheEnd:
            // The last column of both indexes is a position or relative offset: make it huge.
            try overwrite(path, at: try fileSize(path) - 4, with: [0x7F, 0xFF, 0xFF, 0xF0])
        }
    }
}
