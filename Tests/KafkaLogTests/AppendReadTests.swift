@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

@Suite struct AppendReadTests {
    @Test func roundTripAcrossSegments() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.segmentBytes = 1000 }
            var expected: [UInt8] = []
            var batches: [(RecordBatch, Int64)] = []
            for index in 0..<40 {
                let batch = try makeBatch(count: 1 + index % 4, valueSize: 20 + index, seed: UInt8(index))
                let received = Array(batch.bytes.readableBytesView)
                let result = try log.append([batch], now: 1)
                #expect(result.baseOffset == log.logEndOffset - Int64(batch.header.recordCount))
                #expect(result.lastOffset == log.logEndOffset - 1)
                #expect(result.logAppendTime == -1 && !result.isDuplicate && result.logStartOffset == 0)
                #expect(Array(batch.bytes.readableBytesView) == received, "the caller's buffer is not modified")
                expected += storedBytes(batch, at: result.baseOffset)
                batches.append((batch, result.baseOffset))
            }
            #expect(log.logEndOffset == Int64((0..<40).reduce(0) { $0 + 1 + $1 % 4 }))
            let segmentFiles = try fileNames(directory).filter { $0.hasSuffix(".log") }
            #expect(segmentFiles.count >= 5)

            let all = try log.read(from: 0, maxBytes: .max, minOneBatch: false)
            #expect(all.highWatermark == log.logEndOffset && all.logStartOffset == 0)
            #expect(all.records.parts.count == segmentFiles.count, "one file region per segment")
            #expect(try readBytes(all.records) == expected)

            for (batch, offset) in batches {
                let headers = try readHeaders(log, from: offset)
                #expect(headers.first?.baseOffset == offset)
                #expect(headers.first?.crc == batch.header.crc)
                #expect(headers.last?.lastOffset == log.logEndOffset - 1)
            }
            try log.close()

            let reopened = try openLog(directory) { $0.segmentBytes = 1000 }
            #expect(try readBytes(reopened.read(from: 0, maxBytes: .max, minOneBatch: false).records) == expected)
            try reopened.close()
        }
    }

    @Test func anOffsetInsideABatchReturnsTheWholeBatch() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            let first = try makeBatch(count: 5)
            let second = try makeBatch(count: 5, seed: 9)
            _ = try log.append([first], now: 1)
            _ = try log.append([second], now: 1)
            for offset in Int64(0)...4 {
                let bytes = try readBytes(log.read(from: offset, maxBytes: first.header.totalSize, minOneBatch: false).records)
                #expect(bytes == storedBytes(first, at: 0))
            }
            for offset in Int64(5)...9 {
                let bytes = try readBytes(log.read(from: offset, maxBytes: .max, minOneBatch: false).records)
                #expect(bytes == storedBytes(second, at: 5))
            }
            try log.close()
        }
    }

    @Test func maxBytesReturnsWholeBatchesAndMinOneBatchTheFirstAnyway() throws {
        try withTemporaryDirectory { directory in
            let batch = try makeBatch(count: 2, valueSize: 100)
            let size = batch.header.totalSize
            let log = try openLog(directory) { $0.segmentBytes = 3 * size }
            for _ in 0..<10 { _ = try log.append([try makeBatch(count: 2, valueSize: 100)], now: 1) }
            #expect(try readHeaders(log, from: 0, maxBytes: 2 * size + size / 2).map(\.baseOffset) == [0, 2])
            #expect(try readHeaders(log, from: 1, maxBytes: size).map(\.baseOffset) == [0])
            #expect(try readHeaders(log, from: 0, maxBytes: size - 1, minOneBatch: true).map(\.baseOffset) == [0])
            #expect(try readHeaders(log, from: 0, maxBytes: 0, minOneBatch: true).map(\.baseOffset) == [0])
            let nothing = try log.read(from: 0, maxBytes: size - 1, minOneBatch: false)
            #expect(nothing.records.parts.isEmpty && nothing.records.byteCount == 0)

            let spanning = try log.read(from: 4, maxBytes: 5 * size, minOneBatch: false)
            #expect(spanning.records.parts.count == 3, "segments hold 3 batches: offsets 4-5 end one, 6-11 fill the next, 12-13 start a third")
            #expect(try RecordBatch.split(ByteBuffer(bytes: readBytes(spanning.records))).map(\.header.baseOffset) == [4, 6, 8, 10, 12])
            #expect(try readHeaders(log, from: 19, maxBytes: .max).map(\.baseOffset) == [18])
            try log.close()
        }
    }

    @Test func readingAtTheEndIsEmptyAndOutsideTheRangeThrows() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            let empty = try log.read(from: 0, maxBytes: 100, minOneBatch: true)
            #expect(empty.records.byteCount == 0 && empty.highWatermark == 0)
            for _ in 0..<3 { _ = try log.append([try makeBatch(count: 2)], now: 1) }
            let atEnd = try log.read(from: 6, maxBytes: 100, minOneBatch: true)
            #expect(atEnd.records.parts.isEmpty && atEnd.highWatermark == 6)
            for offset: Int64 in [7, -1, 1000] {
                let error = #expect(throws: LogError.self) { try log.read(from: offset, maxBytes: 100, minOneBatch: true) }
                #expect(error?.kind == .offsetOutOfRange && error?.kafkaErrorCode == 1)
                #expect(error?.message.contains("\(offset)") == true)
            }
            try log.deleteRecords(before: 3)
            #expect(throws: LogError.self) { try log.read(from: 2, maxBytes: 100, minOneBatch: true) }
            #expect(try readHeaders(log, from: 3).map(\.baseOffset) == [2, 4], "the batch holding the log start offset is returned whole")
            try log.close()
        }
    }

    @Test func logAppendTimeStampsTheBatchAndRecomputesItsCRC() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.messageTimestampType = .logAppendTime }
            let batch = try makeBatch(count: 3, timestamp: 1_000)
            let result = try log.append([batch], now: 777_000)
            #expect(result.logAppendTime == 777_000)
            let bytes = try readBytes(log.read(from: 0, maxBytes: .max, minOneBatch: true).records)
            let stored = try #require(try RecordBatch.split(ByteBuffer(bytes: bytes)).first, "split checks the new CRC")
            #expect(stored.header.attributes.isLogAppendTime)
            #expect(stored.header.maxTimestamp == 777_000 && stored.header.baseTimestamp == 1_000)
            #expect(stored.header.crc != batch.header.crc)
            #expect(try stored.records().map(\.timestamp) == [777_000, 777_000, 777_000])
            #expect(bytes[RecordBatchHeader.size...] == Array(batch.bytes.readableBytesView)[RecordBatchHeader.size...])
            try log.close()
        }
    }

    @Test func batchesAboveMaxMessageBytesAndEmptyOrControlBatchesAreRejected() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.maxMessageBytes = 200 }
            _ = try log.append([try makeBatch(valueSize: 50)], now: 1)
            let large = try makeBatch(valueSize: 200)
            let tooLarge = #expect(throws: LogError.self) { try log.append([large], now: 1) }
            #expect(tooLarge?.kind == .messageTooLarge && tooLarge?.kafkaErrorCode == 10)
            #expect(tooLarge?.message.contains("\(large.header.totalSize)") == true)
            let empty = try #require(try RecordBatch.split(RecordBatchBuilder().build()).first)
            let corrupt = #expect(throws: LogError.self) { try log.append([empty], now: 1) }
            #expect(corrupt?.kind == .corruptMessage && corrupt?.kafkaErrorCode == 2)
            #expect(log.logEndOffset == 1)
            #expect(try readHeaders(log, from: 0).count == 1)
            try log.close()
        }
    }

    @Test func severalBatchesInOneAppendAreWrittenTogether() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            let batches = [try makeBatch(count: 2), try makeBatch(count: 3, seed: 1), try makeBatch(count: 1, seed: 2)]
            let result = try log.append(batches, now: 1)
            #expect(result.baseOffset == 0 && result.lastOffset == 5)
            let expected = storedBytes(batches[0], at: 0) + storedBytes(batches[1], at: 2) + storedBytes(batches[2], at: 5)
            #expect(try readBytes(log.read(from: 0, maxBytes: .max, minOneBatch: true).records) == expected)
            try log.close()
        }
    }

    @Test func regionsStayReadableAfterTheirSegmentIsDeleted() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.segmentBytes = 200; $0.retentionBytes = 0 }
            let first = try makeBatch(count: 1, valueSize: 150)
            _ = try log.append([first], now: 1)
            _ = try log.append([try makeBatch(count: 1, valueSize: 150)], now: 1)
            let regions = try log.read(from: 0, maxBytes: first.header.totalSize, minOneBatch: true)
            #expect(try log.applyRetention(now: 2) == 2)
            #expect(!(try fileNames(directory)).contains("\(LogFileNames.segment(0)).log"))
            #expect(try readBytes(regions.records) == storedBytes(first, at: 0))
            try log.close()
        }
    }

    @Test func concurrentAppendsGetDistinctContiguousOffsets() async throws {
        try await withTemporaryDirectoryAsync { directory in
            let log = try openLog(directory) { $0.segmentBytes = 4096 }
            let ranges = try await withThrowingTaskGroup(of: [ClosedRange<Int64>].self) { group in
                for task in 0..<4 {
                    group.addTask {
                        try (0..<50).map { index in
                            let result = try log.append([try makeBatch(count: 1 + (task + index) % 3, seed: UInt8(task))], now: 1)
                            return result.baseOffset...result.lastOffset
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }.sorted { $0.lowerBound < $1.lowerBound }
            #expect(ranges.first?.lowerBound == 0)
            #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound + 1 == $1.lowerBound })
            #expect(ranges.last?.upperBound == log.logEndOffset - 1)
            let headers = try readHeaders(log, from: 0)
            #expect(headers.map { $0.baseOffset...$0.lastOffset } == ranges)
            try log.close()
        }
    }
}
