@testable import KafkaLog
import KafkaProtocol
import NIOCore
import Testing

@Suite struct ProducerStateTests {
    private func send(
        _ log: PartitionLog, producer: Int64 = 42, epoch: Int16 = 0, sequence: Int32, count: Int = 2, now: Int64 = 1
    ) throws -> LogAppendResult {
        try log.append([try makeBatch(count: count, producerId: producer, producerEpoch: epoch, baseSequence: sequence)], now: now)
    }

    /// The producers' epochs and batches, without their last append times.
    private func batchesByProducer(_ log: PartitionLog) -> [Int64: ProducerStateTable.Producer] {
        log.producerState.producers.mapValues { ProducerStateTable.Producer(epoch: $0.epoch, batches: $0.batches, lastAppendTime: 0) }
    }

    private func expectError(_ kind: LogError.Kind, code: Int16, _ body: () throws -> Void) {
        let error = #expect(throws: LogError.self, performing: body)
        #expect(error?.kind == kind && error?.kafkaErrorCode == code, "\(String(describing: error))")
    }

    @Test func aResentBatchIsADuplicateWithItsOriginalOffsets() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            _ = try log.append([try makeBatch(count: 3)], now: 1)
            let first = try send(log, sequence: 0, count: 3)
            let second = try send(log, sequence: 3, count: 2)
            #expect(first.baseOffset == 3 && first.lastOffset == 5 && second.baseOffset == 6 && second.lastOffset == 7)
            let again = try send(log, sequence: 0, count: 3)
            #expect(again == LogAppendResult(baseOffset: 3, lastOffset: 5, logAppendTime: -1, logStartOffset: 0, isDuplicate: true))
            #expect(try send(log, sequence: 3, count: 2).isDuplicate)
            #expect(log.logEndOffset == 8)
            #expect(try readHeaders(log, from: 0).count == 3)
            #expect(try send(log, sequence: 5).baseOffset == 8)
            try log.close()
        }
    }

    @Test func aGapIsOutOfOrderAndChangesNothing() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            _ = try send(log, sequence: 0, count: 5)
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, sequence: 10) }
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, sequence: 4) }
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, sequence: 1, count: 4) }
            #expect(log.logEndOffset == 5)
            #expect(try send(log, sequence: 5).baseOffset == 5)
            try log.close()
        }
    }

    @Test func epochsFenceOlderProducersAndNewerOnesStartAtZero() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            _ = try send(log, epoch: 3, sequence: 0)
            _ = try send(log, epoch: 3, sequence: 2)
            expectError(.invalidProducerEpoch, code: 47) { _ = try send(log, epoch: 2, sequence: 4) }
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, epoch: 4, sequence: 4) }
            #expect(try send(log, epoch: 4, sequence: 0).baseOffset == 4)
            expectError(.invalidProducerEpoch, code: 47) { _ = try send(log, epoch: 3, sequence: 4) }
            #expect(!(try send(log, epoch: 4, sequence: 2).isDuplicate))
            #expect(!(try send(log, epoch: 5, sequence: 0).isDuplicate), "a new epoch forgets the old batches")
            try log.close()
        }
    }

    @Test func anUnknownProducerMayStartAtAnySequence() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            #expect(try send(log, sequence: 17).baseOffset == 0)
            #expect(try send(log, sequence: 19).baseOffset == 2)
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, sequence: 30) }
            #expect(try send(log, producer: 43, sequence: 0).baseOffset == 4, "producers are independent")
            try log.close()
        }
    }

    @Test func onlyTheLastFiveBatchesAreRemembered() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            for sequence in stride(from: Int32(0), to: 12, by: 2) { _ = try send(log, sequence: sequence) }
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, sequence: 0) }
            for sequence in stride(from: Int32(2), to: 12, by: 2) {
                #expect(try send(log, sequence: sequence) == LogAppendResult(
                    baseOffset: Int64(sequence), lastOffset: Int64(sequence) + 1, logAppendTime: -1, logStartOffset: 0, isDuplicate: true))
            }
            try log.close()
        }
    }

    @Test func batchesOfOneAppendAreCheckedInOrder() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            let batches = try [0, 2, 4].map { try makeBatch(count: 2, producerId: 7, producerEpoch: 0, baseSequence: $0) }
            #expect(try log.append(batches, now: 1).lastOffset == 5)
            let gap = try [6, 9].map { try makeBatch(count: 2, producerId: 7, producerEpoch: 0, baseSequence: $0) }
            expectError(.outOfOrderSequence, code: 45) { _ = try log.append(gap, now: 1) }
            #expect(log.logEndOffset == 6, "a failing append writes none of its batches")
            #expect(try send(log, producer: 7, sequence: 6).baseOffset == 6)
            try log.close()
        }
    }

    @Test func duplicatesGetTheLogAppendTimeTheyWereStoredWith() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory) { $0.messageTimestampType = .logAppendTime }
            #expect(try send(log, sequence: 0, now: 5_000).logAppendTime == 5_000)
            #expect(try send(log, sequence: 0, now: 9_000) == LogAppendResult(
                baseOffset: 0, lastOffset: 1, logAppendTime: 5_000, logStartOffset: 0, isDuplicate: true))
            try log.close()
        }
    }

    @Test(arguments: Shutdown.allCases, [false, true])
    func stateSurvivesARestart(shutdown: Shutdown, rolled: Bool) throws {
        try withTemporaryDirectory { directory in
            let size = try makeBatch(count: 2, producerId: 42, producerEpoch: 0, baseSequence: 0).header.totalSize
            let configure: (inout LogConfig) -> Void = { $0.segmentBytes = rolled ? 3 * size : 1 << 30 }
            let log = try openLog(directory, configure)
            for sequence in stride(from: Int32(0), to: 14, by: 2) { _ = try send(log, sequence: sequence) }
            _ = try send(log, producer: 50, epoch: 2, sequence: 0)
            try shutdown.end(log)
            let segments = try fileNames(directory).filter { $0.hasSuffix(".log") }.count
            #expect(segments == (rolled ? 3 : 1))

            let reopened = try openLog(directory, configure)
            #expect(batchesByProducer(reopened) == batchesByProducer(log), "replayed batches count as appended at open")
            #expect(try send(reopened, sequence: 12) == LogAppendResult(
                baseOffset: 12, lastOffset: 13, logAppendTime: -1, logStartOffset: 0, isDuplicate: true))
            expectError(.outOfOrderSequence, code: 45) { _ = try send(reopened, sequence: 16) }
            expectError(.invalidProducerEpoch, code: 47) { _ = try send(reopened, producer: 50, epoch: 1, sequence: 0) }
            #expect(try send(reopened, sequence: 14).baseOffset == 16)
            try reopened.close()
        }
    }

    @Test func aDamagedSnapshotIsReplacedByReplayingTheLog() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            for sequence in stride(from: Int32(0), to: 6, by: 2) { _ = try send(log, sequence: sequence) }
            try log.close()
            let snapshot = try #require(try fileNames(directory).first { $0.hasSuffix(".snapshot") })
            try overwrite("\(directory)/\(snapshot)", at: 12, with: [0xFF])
            let reopened = try openLog(directory)
            #expect(batchesByProducer(reopened) == batchesByProducer(log), "replayed batches count as appended at open")
            #expect(try send(reopened, sequence: 4).isDuplicate)
            try reopened.close()
        }
    }

    @Test func snapshotsRoundTrip() throws {
        try withTemporaryDirectory { directory in
            try testStorage.makeDirectories(directory)
            var table = ProducerStateTable()
            for producer in Int64(0)..<20 {
                for sequence in 0..<Int32(producer % 8) {
                    let batch = try makeBatch(count: 1, producerId: producer, producerEpoch: Int16(producer), baseSequence: sequence)
                    table.record(batch.header, appendTime: 1_000 + producer)
                }
            }
            try ProducerStateSnapshot.write(table, asOf: 99, directory: directory, storage: testStorage)
            #expect(try ProducerStateSnapshot.read(99, directory: directory, storage: testStorage) == table)
            try ProducerStateSnapshot.write(table, asOf: 100, directory: directory, storage: testStorage)
            try ProducerStateSnapshot.write(ProducerStateTable(), asOf: 101, directory: directory, storage: testStorage)
            #expect(ProducerStateSnapshot.offsets(in: try fileNames(directory)) == [101, 100], "only the newest two are kept")
        }
    }

    @Test func idleProducersExpireAfterADay() throws {
        try withTemporaryDirectory { directory in
            let log = try openLog(directory)
            _ = try send(log, sequence: 0, now: 1_000)
            _ = try send(log, producer: 43, sequence: 0, now: 50_000_000)
            try log.applyRetention(now: 1_000 + ProducerStateTable.expirationMs - 1)
            expectError(.outOfOrderSequence, code: 45) { _ = try send(log, sequence: 9, now: 1_000) }
            try log.applyRetention(now: 1_000 + ProducerStateTable.expirationMs)
            #expect(Set(log.producerState.producers.keys) == [43])
            #expect(try send(log, sequence: 9, now: 1_000).baseOffset == 4, "an expired producer starts afresh")
            try log.close()
        }
    }
}
