import FileIO
@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

/// The partition log on a disk that fills up, fails or loses power
/// (`InMemoryFileSystem`): a failed append is refused whole, nothing
/// acknowledged is lost, and the log recovers on reopening.
@Suite struct StorageFaultTests {
    static let directory = "/data/topic-0"

    /// A file system with `/data` made durable, and a log opened on it.
    private func openLog(
        on fileSystem: InMemoryFileSystem, _ configure: (inout LogConfig) -> Void = { _ in }
    ) throws -> PartitionLog {
        if !fileSystem.exists("/data") {
            try fileSystem.makeDirectories("/data")
            try fileSystem.syncDirectory("/")
        }
        return try KafkaLogTests.openLog(Self.directory, fileSystem: fileSystem, configure)
    }

    /// The stored bytes of the whole log.
    private func contents(_ log: PartitionLog) throws -> [UInt8] {
        try readBytes(try log.read(from: log.logStartOffset, maxBytes: .max, minOneBatch: true).records, allowingMemory: true)
    }

    @Test func fullDiskRefusesTheAppendAndAcceptsAgainOnceSpaceIsFreed() throws {
        let fileSystem = InMemoryFileSystem()
        let log = try openLog(on: fileSystem)
        fileSystem.quota = fileSystem.usedBytes + 2_000
        var expected: [UInt8] = []
        var refusal: LogError?
        for index in 0..<20 {
            let batch = try makeBatch(count: 2, valueSize: 100, seed: UInt8(index))
            do {
                let result = try log.append([batch], now: 1)
                expected += storedBytes(batch, at: result.baseOffset)
            } catch {
                refusal = error
                break
            }
        }
        let error = try #require(refusal, "the quota must be reached")
        #expect(error.kind == .storage && error.kafkaErrorCode == 56)
        #expect(error.fileError?.isNoSpace == true)
        #expect(error.message.contains("No space left on device") && error.message.contains("/data/topic-0/"))
        let endOffset = log.logEndOffset
        #expect(try contents(log) == expected, "what was acknowledged is intact and nothing of the refused batch shows")

        // Still full: refused again, no offset used up.
        #expect(throws: LogError.self) { try log.append([try makeBatch(count: 1, valueSize: 2_000)], now: 1) }
        #expect(log.logEndOffset == endOffset)

        fileSystem.quota = nil
        let batch = try makeBatch(count: 3, valueSize: 50, seed: 99)
        let result = try log.append([batch], now: 1)
        #expect(result.baseOffset == endOffset, "offsets go on where the acknowledged batches ended")
        expected += storedBytes(batch, at: endOffset)
        try log.close()
        let reopened = try openLog(on: fileSystem)
        #expect(try contents(reopened) == expected)
    }

    @Test func ioErrorOnWriteRefusesTheAppend() throws {
        let fileSystem = InMemoryFileSystem()
        let log = try openLog(on: fileSystem)
        let first = try makeBatch(count: 2, seed: 1)
        _ = try log.append([first], now: 1)
        fileSystem.failWrites(matching: ".log")
        do {
            _ = try log.append([try makeBatch(count: 2, seed: 2)], now: 1)
            Issue.record("an append whose write failed was acknowledged")
        } catch let error as LogError {
            #expect(error.kind == .storage && error.fileError?.isInputOutput == true)
        }
        #expect(log.logEndOffset == 2)
        let third = try makeBatch(count: 1, seed: 3)
        #expect(try log.append([third], now: 1).baseOffset == 2)
        #expect(try contents(log) == storedBytes(first, at: 0) + storedBytes(third, at: 2))
    }

    @Test func failedFsyncThatWasDueRefusesTheAppendAndLosesNothingAcknowledged() throws {
        let fileSystem = InMemoryFileSystem()
        let log = try openLog(on: fileSystem) { $0.flushMessages = 1 }
        let first = try makeBatch(count: 2, seed: 1)
        _ = try log.append([first], now: 1)
        fileSystem.failSyncs(matching: ".log")
        do {
            _ = try log.append([try makeBatch(count: 2, seed: 2)], now: 1)
            Issue.record("an append whose due fsync failed was acknowledged")
        } catch let error as LogError {
            #expect(error.kind == .storage && error.fileError?.isInputOutput == true)
        }
        #expect(log.logEndOffset == 2, "the batch is taken back")
        let third = try makeBatch(count: 1, seed: 3)
        #expect(try log.append([third], now: 1).baseOffset == 2)

        fileSystem.crash()
        let reopened = try openLog(on: fileSystem)
        #expect(try contents(reopened) == storedBytes(first, at: 0) + storedBytes(third, at: 2))
    }

    @Test func tornWriteThenCrashRecoversToTheLastDurableBatch() throws {
        let fileSystem = InMemoryFileSystem()
        let log = try openLog(on: fileSystem)
        let first = try makeBatch(count: 2, seed: 1)
        let second = try makeBatch(count: 3, seed: 2)
        _ = try log.append([first], now: 1)
        _ = try log.append([second], now: 1)
        try log.flush()
        fileSystem.tearNextWrite(matching: ".log", keeping: 40)
        _ = try log.append([try makeBatch(count: 4, valueSize: 200, seed: 3)], now: 1)
        fileSystem.crash()

        let logFile = segmentPath(Self.directory, 0, ".log")
        let durable = storedBytes(first, at: 0) + storedBytes(second, at: 2)
        #expect(fileSystem.contents(of: logFile)?.count == durable.count + 40, "the crash left a torn batch")
        let reopened = try openLog(on: fileSystem)
        #expect(reopened.logEndOffset == 5)
        #expect(try contents(reopened) == durable)
        #expect(fileSystem.contents(of: logFile) == durable, "the torn tail is cut off")
        let next = try makeBatch(count: 1, seed: 4)
        #expect(try reopened.append([next], now: 1).baseOffset == 5)
    }

    @Test func crashBeforeFsyncLosesOnlyWhatWasNotAcknowledgedAsDurable() throws {
        let fileSystem = InMemoryFileSystem()
        // flush.messages=1: every acknowledged append is on disk.
        let log = try openLog(on: fileSystem) { $0.flushMessages = 1; $0.segmentBytes = 600 }
        var expected: [UInt8] = []
        for index in 0..<8 {
            let batch = try makeBatch(count: 2, valueSize: 60, seed: UInt8(index))
            expected += storedBytes(batch, at: try log.append([batch], now: 1).baseOffset)
        }
        fileSystem.crash()
        let reopened = try openLog(on: fileSystem) { $0.flushMessages = 1; $0.segmentBytes = 600 }
        #expect(reopened.logEndOffset == 16)
        #expect(try contents(reopened) == expected)

        // Without flush.messages, appends are acknowledged before their fsync,
        // as in Kafka: a crash loses the unsynced tail and nothing before the last flush.
        try reopened.close()
        let lazy = try openLog(on: fileSystem)
        let unsynced = try makeBatch(count: 1, seed: 50)
        _ = try lazy.append([unsynced], now: 1)
        fileSystem.crash()
        let afterSecondCrash = try openLog(on: fileSystem)
        #expect(afterSecondCrash.logEndOffset == 16)
        #expect(try contents(afterSecondCrash) == expected)
    }

    @Test func closeOnAFullDiskThrowsAndTheLogStillRecovers() throws {
        let fileSystem = InMemoryFileSystem()
        let log = try openLog(on: fileSystem)
        let batch = try makeBatch(count: 2, seed: 1)
        _ = try log.append([batch], now: 1)
        fileSystem.quota = fileSystem.usedBytes
        #expect(throws: LogError.self) { try log.close() }
        fileSystem.quota = nil
        fileSystem.crash()
        let reopened = try openLog(on: fileSystem)
        #expect(reopened.logEndOffset == 2, "the data was forced to disk before the checkpoint failed")
        #expect(try contents(reopened) == storedBytes(batch, at: 0))
        #expect(throws: Never.self) { try reopened.append([try makeBatch(count: 1)], now: 1) }
    }
}
