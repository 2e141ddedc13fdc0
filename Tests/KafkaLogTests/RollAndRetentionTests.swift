@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

@Suite struct RollAndRetentionTests {
    private func segmentBases(_ directory: String) throws -> [Int64] {
        try fileNames(directory).compactMap { LogFileNames.offset(in: $0, suffix: ".log") }
    }

    @Test func rollsBySegmentBytes() throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch(count: 2).header.totalSize
            let log = try openLog(directory) { $0.segmentBytes = 3 * size }
            for _ in 0..<10 { _ = try log.append([try makeBatch(count: 2)], now: 1) }
            #expect(try segmentBases(directory) == [0, 6, 12, 18])
            for base: Int64 in [0, 6, 12] {
                #expect(try fileSize(segmentPath(directory, base, ".log")) == 3 * size)
            }
            let large = try makeBatch(count: 1, valueSize: 4 * size)
            #expect(try log.append([large], now: 1).baseOffset == 20)
            _ = try log.append([try makeBatch(count: 2)], now: 1)
            #expect(try segmentBases(directory) == [0, 6, 12, 18, 20, 21], "a batch larger than segment.bytes gets a segment of its own")
            #expect(try fileSize(segmentPath(directory, 20, ".log")) == large.header.totalSize)
            try log.close()
        }
    }

    @Test func rollsBySegmentMs() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.segmentMs = 1_000 }
            _ = try log.append([try makeBatch()], now: 10_000)
            _ = try log.append([try makeBatch()], now: 11_000)
            #expect(try segmentBases(directory) == [0])
            _ = try log.append([try makeBatch()], now: 11_001)
            _ = try log.append([try makeBatch()], now: 12_000)
            #expect(try segmentBases(directory) == [0, 2])
            _ = try log.append([try makeBatch()], now: 12_002)
            #expect(try segmentBases(directory) == [0, 2, 4])
            try log.close()
        }
    }

    @Test func rollsWhenTheIndexIsFull() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.segmentIndexBytes = 36; $0.indexIntervalBytes = 0 }
            for _ in 0..<10 { _ = try log.append([try makeBatch()], now: 1) }
            let bases = try segmentBases(directory)
            #expect(bases.count > 1)
            for base in bases {
                #expect(try fileSize(segmentPath(directory, base, ".index")) <= 36)
                #expect(try fileSize(segmentPath(directory, base, ".timeindex")) <= 36)
            }
            #expect(try readHeaders(log, from: 0).count == 10)
            try log.close()
        }
    }

    @Test func retentionMsDeletesSegmentsWhoseNewestRecordIsOld() throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch().header.totalSize
            let configure: (inout LogConfig) -> Void = { $0.segmentBytes = 2 * size; $0.retentionMs = 3_000 }
            let log = try openLog(directory, configure)
            for timestamp: Int64 in [1_000, 5_000, 2_000, 6_000, 9_000, 9_500] {
                _ = try log.append([try makeBatch(timestamp: timestamp)], now: 1)
            }
            #expect(try segmentBases(directory) == [0, 2, 4])
            #expect(try log.applyRetention(now: 8_000) == 0, "segment 0 is newest at 5000: 3000 ms old, not more")
            #expect(try log.applyRetention(now: 9_001) == 2)
            #expect(try segmentBases(directory) == [4])
            #expect(log.logStartOffset == 4)
            #expect(try readHeaders(log, from: 4).map(\.baseOffset) == [4, 5])
            try log.close()

            let reopened = try openLog(directory, configure)
            #expect(reopened.logStartOffset == 4 && reopened.logEndOffset == 6)
            #expect(throws: LogError.self) { try reopened.read(from: 3, maxBytes: 100, minOneBatch: true) }
            try reopened.close()
        }
    }

    @Test func anExpiredActiveSegmentIsClosedAndDeleted() throws {
        try withTemporaryDirectory { directory in
            let configure: (inout LogConfig) -> Void = { $0.retentionMs = 1_000 }
            let log = try openLog(directory, configure)
            for _ in 0..<3 { _ = try log.append([try makeBatch(timestamp: 1_000)], now: 1_000) }
            #expect(try log.applyRetention(now: 2_000) == 0)
            #expect(try log.applyRetention(now: 2_001) == 1)
            #expect(try segmentBases(directory) == [3])
            #expect(log.logStartOffset == 3 && log.logEndOffset == 3)
            #expect(try log.applyRetention(now: 100_000) == 0, "an empty active segment stays")
            #expect(try log.append([try makeBatch(timestamp: 100_000)], now: 100_000).baseOffset == 3)
            try log.close()
            let reopened = try openLog(directory, configure)
            #expect(reopened.logStartOffset == 3 && reopened.logEndOffset == 4)
            try reopened.close()
        }
    }

    @Test func retentionBytesDeletesTheOldestWholeSegments() throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch().header.totalSize
            let log = try openLog(directory) { $0.segmentBytes = 2 * size; $0.retentionBytes = Int64(5 * size) }
            for _ in 0..<9 { _ = try log.append([try makeBatch()], now: 1) }
            #expect(try segmentBases(directory) == [0, 2, 4, 6, 8])
            #expect(try log.applyRetention(now: 1) == 2, "9 batches, keep at most 5: deleting 2 segments leaves 5")
            #expect(try segmentBases(directory) == [4, 6, 8])
            #expect(log.logStartOffset == 4)
            #expect(try log.applyRetention(now: 1) == 0)
            log.updateConfig(try log.config.applying(["retention.bytes": "1"]))
            #expect(try log.applyRetention(now: 1) == 2, "closed segments go; the active one stays while deleting it would go below the limit")
            #expect(try segmentBases(directory) == [8])
            #expect(try readHeaders(log, from: 8).map(\.baseOffset) == [8])
            log.updateConfig(try log.config.applying(["retention.bytes": "0"]))
            #expect(try log.applyRetention(now: 1) == 1, "as in Kafka, retention.bytes=0 closes and deletes the active segment too")
            #expect(try segmentBases(directory) == [9])
            #expect(log.logStartOffset == 9 && log.logEndOffset == 9)
            try log.close()
        }
    }

    @Test func compactOnlyTopicsKeepEverything() throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch().header.totalSize
            let log = try openLog(directory) {
                $0.segmentBytes = size; $0.retentionBytes = 0; $0.retentionMs = 0; $0.cleanupPolicy = "compact"
            }
            for _ in 0..<4 { _ = try log.append([try makeBatch(timestamp: 1)], now: 1) }
            #expect(try log.applyRetention(now: 1_000_000) == 0)
            #expect(try segmentBases(directory) == [0, 1, 2, 3])
            try log.close()
        }
    }

    @Test func deleteRecordsMovesTheStartAndSurvivesARestart() throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch(count: 2).header.totalSize
            let configure: (inout LogConfig) -> Void = { $0.segmentBytes = 2 * size }
            let log = try openLog(directory, configure)
            for _ in 0..<6 { _ = try log.append([try makeBatch(count: 2)], now: 1) }
            #expect(try segmentBases(directory) == [0, 4, 8])
            #expect(try log.deleteRecords(before: 5) == 5)
            #expect(try segmentBases(directory) == [4, 8])
            #expect(try log.deleteRecords(before: 2) == 5, "the start never moves back")
            let beyond = #expect(throws: LogError.self) { try log.deleteRecords(before: 13) }
            #expect(beyond?.kind == .offsetOutOfRange)
            #expect(try log.append([try makeBatch()], now: 1).logStartOffset == 5)
            try log.close()

            let reopened = try openLog(directory, configure)
            #expect(reopened.logStartOffset == 5 && reopened.logEndOffset == 13)
            #expect(try readHeaders(reopened, from: 5).first?.baseOffset == 4)
            #expect(throws: LogError.self) { try reopened.read(from: 4, maxBytes: 100, minOneBatch: true) }
            #expect(try reopened.deleteRecords(before: 13) == 13)
            #expect(try segmentBases(directory) == [13], "deleting everything closes the active segment too")
            try reopened.close()
            let again = try openLog(directory, configure)
            #expect(again.logStartOffset == 13 && again.logEndOffset == 13)
            try again.close()
        }
    }

    @Test func flushPolicyCountsMessagesAndTime() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.flushMessages = 5 }
            _ = try log.append([try makeBatch(count: 3)], now: 1)
            #expect(log.unflushedMessages == 3)
            _ = try log.append([try makeBatch(count: 2)], now: 1)
            #expect(log.unflushedMessages == 0)
            log.updateConfig(try log.config.applying(["flush.messages": "9223372036854775807", "flush.ms": "1000"]))
            _ = try log.append([try makeBatch()], now: log.lastFlushTime + 10)
            #expect(log.unflushedMessages == 1)
            try log.flushIfDue(now: log.lastFlushTime + 999)
            #expect(log.unflushedMessages == 1)
            try log.flushIfDue(now: log.lastFlushTime + 1_000)
            #expect(log.unflushedMessages == 0)
            _ = try log.append([try makeBatch()], now: 1)
            try log.flush()
            #expect(log.unflushedMessages == 0)
            try log.close()
        }
    }

    @Test func closeMarksACleanShutdownAndDeleteFilesRemovesTheDirectory() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            _ = try log.append([try makeBatch()], now: 1)
            try log.close()
            try log.close()
            #expect(try fileNames(directory).contains(LogFileNames.cleanShutdownMarker))
            let closed = #expect(throws: LogError.self) { try log.append([try makeBatch()], now: 1) }
            #expect(closed?.kind == .storage && closed?.kafkaErrorCode == 56)
            let reopened = try openLog(directory)
            #expect(!(try fileNames(directory)).contains(LogFileNames.cleanShutdownMarker))
            try reopened.deleteFiles()
            #expect(!testStorage.fileSystem.exists(directory))
        }
    }
}
