import FileIO
@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

/// The log's side of transactions: markers end a producer's transaction, the
/// last stable offset holds read_committed reads at the oldest open one,
/// aborts are indexed (`.txnindex`), and all of it survives reopening, clean
/// or after a crash.
@Suite struct TransactionLogTests {
    static let directory = "/data/topic-0"

    private func openLog(on fileSystem: InMemoryFileSystem, _ configure: (inout LogConfig) -> Void = { _ in }) throws -> PartitionLog {
        if !fileSystem.exists("/data") {
            try fileSystem.makeDirectories("/data")
            try fileSystem.syncDirectory("/")
        }
        return try KafkaLogTests.openLog(Self.directory, fileSystem: fileSystem, configure)
    }

    /// Appends a transactional batch of `count` records of `producer` at `sequence`.
    @discardableResult
    private func write(_ log: PartitionLog, producer: Int64, epoch: Int16 = 0, sequence: Int32, count: Int = 2) throws -> LogAppendResult {
        try log.append([try makeBatch(count: count, producerId: producer, producerEpoch: epoch, baseSequence: sequence, isTransactional: true)], now: 1)
    }

    private func headers(_ log: PartitionLog, from offset: Int64, isolation: IsolationLevel) throws -> ([RecordBatchHeader], LogReadResult) {
        let result = try log.read(from: offset, maxBytes: .max, minOneBatch: true, isolation: isolation)
        let bytes = try readBytes(result.records, allowingMemory: true)
        return (try RecordBatch.split(ByteBuffer(bytes: bytes)).map(\.header), result)
    }

    @Test func readCommittedStopsAtTheOldestOpenTransactionAndMovesOnAtItsMarker() throws {
        let log = try openLog(on: InMemoryFileSystem())
        _ = try log.append([try makeBatch(count: 3)], now: 1)
        try write(log, producer: 7, sequence: 0)
        try write(log, producer: 8, sequence: 0)
        #expect(log.lastStableOffset == 3)
        let (open, result) = try headers(log, from: 0, isolation: .readCommitted)
        #expect(open.map(\.baseOffset) == [0] && result.lastStableOffset == 3 && result.highWatermark == 7)
        #expect(try headers(log, from: 3, isolation: .readCommitted).0.isEmpty, "nothing at or past the last stable offset")
        #expect(try headers(log, from: 3, isolation: .readUncommitted).0.count == 2)

        let commit = try log.appendMarker(ControlRecord(kind: .commit), producerId: 7, producerEpoch: 0, now: 2)
        #expect(commit == 7 && log.lastStableOffset == 5, "producer 8's transaction still holds it")
        try log.appendMarker(ControlRecord(kind: .commit), producerId: 8, producerEpoch: 0, now: 2)
        #expect(log.lastStableOffset == 9 && log.logEndOffset == 9)
        let (all, _) = try headers(log, from: 0, isolation: .readCommitted)
        #expect(all.map(\.baseOffset) == [0, 3, 5, 7, 8])
        #expect(all.suffix(2).allSatisfy { $0.attributes.isControl && $0.attributes.isTransactional })
    }

    @Test func anAbortIsIndexedAndListedForTheReadsThatHoldItsRecords() throws {
        let log = try openLog(on: InMemoryFileSystem())
        try write(log, producer: 7, sequence: 0)
        _ = try log.append([try makeBatch(count: 1)], now: 1)
        try write(log, producer: 7, sequence: 2)
        try log.appendMarker(ControlRecord(kind: .abort), producerId: 7, producerEpoch: 0, now: 2)
        _ = try log.append([try makeBatch(count: 1)], now: 1)

        let (_, fromStart) = try headers(log, from: 0, isolation: .readCommitted)
        #expect(fromStart.abortedTransactions == [AbortedTransaction(producerId: 7, firstOffset: 0, lastOffset: 5, lastStableOffset: 6)])
        #expect(try headers(log, from: 6, isolation: .readCommitted).1.abortedTransactions == [], "the marker is before the read")
        #expect(try headers(log, from: 0, isolation: .readUncommitted).1.abortedTransactions == nil)
        #expect(log.lastStableOffset == 7)
    }

    @Test func aMarkerOfAnOlderEpochIsRefusedAndANewerOneFencesTheProducer() throws {
        let log = try openLog(on: InMemoryFileSystem())
        try write(log, producer: 7, epoch: 3, sequence: 0)
        let error = #expect(throws: LogError.self) { try log.appendMarker(ControlRecord(kind: .abort), producerId: 7, producerEpoch: 2, now: 1) }
        #expect(error?.kind == .invalidProducerEpoch)
        #expect(log.lastStableOffset == 0)
        try log.appendMarker(ControlRecord(kind: .abort), producerId: 7, producerEpoch: 4, now: 1)
        #expect(log.lastStableOffset == 3)
        let zombie = #expect(throws: LogError.self) { try write(log, producer: 7, epoch: 3, sequence: 2) }
        #expect(zombie?.kind == .invalidProducerEpoch, "the old epoch cannot write after the fencing marker")
    }

    @Test func openTransactionsAndAbortsSurviveACleanReopen() throws {
        let fileSystem = InMemoryFileSystem()
        var log = try openLog(on: fileSystem)
        try write(log, producer: 7, sequence: 0)
        try log.appendMarker(ControlRecord(kind: .abort), producerId: 7, producerEpoch: 0, now: 1)
        try write(log, producer: 8, sequence: 0)
        try log.close()
        #expect(fileSystem.exists(segmentPath(Self.directory, 0, ".txnindex")))
        log = try openLog(on: fileSystem)
        #expect(log.lastStableOffset == 3)
        #expect(log.producers.first { $0.producerId == 8 }?.currentTxnStartOffset == 3)
        try log.appendMarker(ControlRecord(kind: .commit), producerId: 8, producerEpoch: 0, now: 1)
        let (_, result) = try headers(log, from: 0, isolation: .readCommitted)
        #expect(result.abortedTransactions?.map(\.firstOffset) == [0])
    }

    @Test func aCrashRebuildsTheOpenTransactionsAndTheAbortIndexFromTheLog() throws {
        let fileSystem = InMemoryFileSystem()
        let log = try openLog(on: fileSystem) { $0.flushMessages = 1 }
        try write(log, producer: 7, sequence: 0)
        try log.appendMarker(ControlRecord(kind: .abort), producerId: 7, producerEpoch: 0, now: 1)
        try write(log, producer: 9, sequence: 0)
        fileSystem.crash()
        #expect(!fileSystem.exists(segmentPath(Self.directory, 0, ".txnindex")), "the index of the active segment is written only at a roll or close")

        let reopened = try openLog(on: fileSystem)
        #expect(reopened.lastStableOffset == 3)
        let (_, result) = try headers(reopened, from: 0, isolation: .readCommitted)
        #expect(result.abortedTransactions == [AbortedTransaction(producerId: 7, firstOffset: 0, lastOffset: 2, lastStableOffset: 3)])
    }

    @Test func aRollWritesTheClosedSegmentsIndexAndADamagedOneIsRebuilt() throws {
        let fileSystem = InMemoryFileSystem()
        var log = try openLog(on: fileSystem) { $0.segmentBytes = 300 }
        try write(log, producer: 7, sequence: 0, count: 3)
        try log.appendMarker(ControlRecord(kind: .abort), producerId: 7, producerEpoch: 0, now: 1)
        for index in 0..<4 { _ = try log.append([try makeBatch(count: 2, seed: UInt8(index))], now: 1) }
        let index = segmentPath(Self.directory, 0, ".txnindex")
        #expect(fileSystem.contents(of: index)?.count == TransactionIndex.entrySize)
        try log.close()

        var damaged = try #require(fileSystem.contents(of: index))
        damaged.removeLast()
        try fileSystem.writeAtomically(damaged, to: index)
        log = try openLog(on: fileSystem) { $0.segmentBytes = 300 }
        let (_, result) = try headers(log, from: 0, isolation: .readCommitted)
        #expect(result.abortedTransactions?.map(\.lastOffset) == [3])
        #expect(fileSystem.contents(of: index)?.count == TransactionIndex.entrySize, "rewritten whole")
    }

    @Test func snapshotsOfTheFirstFormatAreStillRead() throws {
        let fileSystem = InMemoryFileSystem()
        let storage = LogStorage(fileSystem: fileSystem)
        try fileSystem.makeDirectories(Self.directory)
        var body = ByteBuffer()
        body.writeInteger(Int32(1))
        body.writeInteger(Int64(42))
        body.writeInteger(Int16(3))
        body.writeInteger(Int64(1_000))
        body.writeInteger(Int8(1))
        for value: Int32 in [0, 4] { body.writeInteger(value) }
        for value: Int64 in [10, 14, 99] { body.writeInteger(value) }
        var file = ByteBuffer()
        file.writeInteger(UInt32(0x4250_5331))
        file.writeInteger(CRC32C.checksum(body.readableBytesView))
        file.writeBuffer(&body)
        try storage.writeAtomically(file, to: ProducerStateSnapshot.path(15, in: Self.directory))
        let table = try #require(try ProducerStateSnapshot.read(15, directory: Self.directory, storage: storage))
        #expect(table.producers[42] == .init(epoch: 3, batches: [.init(firstSequence: 0, lastSequence: 4, firstOffset: 10, lastOffset: 14, timestamp: 99)],
                                             lastAppendTime: 1_000, currentTxnFirstOffset: nil))
    }

    @Test func clientsCannotWriteControlBatches() throws {
        let log = try openLog(on: InMemoryFileSystem())
        let marker = ControlRecord(kind: .commit).batch(producerId: 1, producerEpoch: 0, timestamp: 1)
        let error = #expect(throws: LogError.self) { try log.append(try RecordBatch.split(marker), now: 1) }
        #expect(error?.kind == .corruptMessage)
    }
}
