@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

@Suite struct IndexLookupTests {
    /// Appends batches of 1-3 records; returns each batch's offsets.
    private func fill(_ log: PartitionLog, batches: Int) throws -> [ClosedRange<Int64>] {
        try (0..<batches).map { index in
            let result = try log.append([try makeBatch(count: 1 + index % 3, valueSize: 10 + index % 50, seed: UInt8(index % 256))], now: 1)
            return result.baseOffset...result.lastOffset
        }
    }

    @Test(arguments: [0, 300, 4096])
    func everyOffsetFindsTheBatchHoldingIt(indexIntervalBytes: Int) throws {
        try withTemporaryDirectory { directory in
            let configure: (inout LogConfig) -> Void = { $0.indexIntervalBytes = indexIntervalBytes; $0.segmentBytes = 20_000 }
            let log = try openLog(directory, configure)
            let ranges = try fill(log, batches: 600)
            #expect(try fileSize(segmentPath(directory, 0, ".index")) > 0, "lookups go through the index")
            try log.close()
            let reopened = try openLog(directory, configure)
            for range in ranges {
                for offset in range {
                    let headers = try readHeaders(reopened, from: offset, maxBytes: 1)
                    #expect(headers.count == 1 && headers.first.map { $0.baseOffset...$0.lastOffset } == range)
                }
            }
            try reopened.close()
        }
    }

    @Test func offsetIndexEntriesAreSparseAndIncreasing() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.indexIntervalBytes = 1000 }
            _ = try fill(log, batches: 200)
            let segment = log.segments[0]
            let bytes = segment.size
            let count = segment.offsetIndex.count
            #expect(count > bytes / 2000 && count <= bytes / 1000)
            var previous = OffsetIndex.Entry(offset: -1, position: -1)
            for index in 0..<count {
                let entry = try #require(try segment.offsetIndex.floor(position: try segment.offsetIndex.file.withEntry(index) { Int($0.bigEndian(at: 4, as: Int32.self)) }))
                #expect(entry.offset > previous.offset && entry.position > previous.position)
                #expect(try segment.header(at: entry.position)?.baseOffset == entry.offset)
                previous = entry
            }
            try log.close()
        }
    }

    /// The first record at or after the log start whose timestamp reaches `target`, by brute force.
    private func expectedRecord(_ records: [TimestampedOffset], _ target: Int64) -> TimestampedOffset? {
        records.first { $0.timestamp >= target }
    }

    @Test func timestampLookupsMatchABruteForceSearch() throws {
        try withTemporaryDirectory { directory in
            let configure: (inout LogConfig) -> Void = { $0.indexIntervalBytes = 200; $0.segmentBytes = 3000 }
            let log = try openLog(directory, configure)
            var records: [TimestampedOffset] = []
            for index in 0..<120 {
                // Mostly rising by 10 a batch, with every seventh batch from the past.
                let timestamp: Int64 = index % 7 == 6 ? Int64(index) * 10 - 500 : 10_000 + Int64(index) * 10
                let batch = try makeBatch(count: 3, timestamp: timestamp)
                let result = try log.append([batch], now: 1)
                records += (0..<3).map { TimestampedOffset(offset: result.baseOffset + Int64($0), timestamp: timestamp + Int64($0)) }
            }
            #expect(try fileNames(directory).filter { $0.hasSuffix(".log") }.count > 3)
            try log.close()
            let reopened = try openLog(directory, configure)
            for target in stride(from: Int64(-600), through: 11_300, by: 7) {
                let found = try reopened.offset(forTimestamp: target)
                let expected = expectedRecord(records, target)
                #expect(found == expected, "target \(target)")
            }
            #expect(try reopened.offset(forTimestamp: 20_000) == nil)

            try reopened.deleteRecords(before: 100)
            let afterStart = records.filter { $0.offset >= 100 }
            for target: Int64 in [0, 10_000, 10_400, 11_000] {
                #expect(try reopened.offset(forTimestamp: target)?.offset == expectedRecord(afterStart, target)?.offset)
            }
            try reopened.close()
        }
    }

    @Test func timestampLookupInACompressedBatchAnswersWithTheBatch() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            _ = try log.append([try makeBatch(count: 2, timestamp: 100)], now: 1)
            _ = try log.append([try compressed(try makeBatch(count: 4, timestamp: 200))], now: 1)
            #expect(try log.offset(forTimestamp: 202) == TimestampedOffset(offset: 2, timestamp: 203))
            #expect(try log.offset(forTimestamp: 101) == TimestampedOffset(offset: 1, timestamp: 101))
            try log.close()
        }
    }

    @Test func timestampLookupWithLogAppendTimeUsesTheAppendTime() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.messageTimestampType = .logAppendTime }
            _ = try log.append([try makeBatch(count: 2, timestamp: 5)], now: 1_000)
            _ = try log.append([try makeBatch(count: 2, timestamp: 5)], now: 2_000)
            #expect(try log.offset(forTimestamp: 5) == TimestampedOffset(offset: 0, timestamp: 1_000))
            #expect(try log.offset(forTimestamp: 1_001) == TimestampedOffset(offset: 2, timestamp: 2_000))
            #expect(try log.offset(forTimestamp: 2_001) == nil)
            try log.close()
        }
    }

    /// The batch marked gzip (its bytes are not really compressed; the log never looks inside).
    private func compressed(_ batch: RecordBatch) throws -> RecordBatch {
        var bytes = batch.bytes
        var header = batch.header
        header.attributes.compression = .gzip
        bytes.setInteger(header.attributes.rawValue, at: bytes.readerIndex + RecordBatchHeader.crcCoverageStart)
        var crc = CRC32C()
        bytes.withUnsafeReadableBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[RecordBatchHeader.crcCoverageStart...])) }
        bytes.setInteger(crc.value, at: bytes.readerIndex + 17)
        return try #require(try RecordBatch.split(bytes).first)
    }
}
