import BargeBroker
import BargeBrokerTestKit
import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// Transactions on a tiered topic: only segments below the last stable
/// offset are copied, and an abort copied to the remote tier is still
/// listed to read_committed consumers once the local segment is gone.
@Suite("Transactions on tiered topics", .timeLimit(.minutes(2)))
struct TieredTransactionTests {
    let tiered = TieredStorageTests()
    let wire = TransactionWireTests()

    func transactional(_ client: KafkaTestClient, _ topic: String, _ producer: TransactionWireTests.Producer) async throws {
        _ = try await wire.addPartitions(client, "tx", producer, [(topic, 0)])
        var builder = RecordBatchBuilder()
        builder.producerId = producer.id
        builder.producerEpoch = producer.epoch
        builder.baseSequence = 0
        builder.isTransactional = true
        for record in 0..<10 {
            builder.append(key: nil, value: ByteBuffer(repeating: UInt8(record), count: 300), timestamp: tiered.baseTimestamp)
        }
        #expect(try await wire.produce(client, topic: topic, batch: builder.build(), transactionalId: "tx") == 0)
    }

    @Test("an aborted transaction in the remote tier is listed for read_committed reads from there")
    func abortInRemoteTier() async throws {
        let topic = "tiered-aborted"
        try await withEmbeddedBroker(configure: tiered.configure("tiered-\(UUID().uuidString)")) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            try await tiered.createTieredTopic(client, topic)
            let (_, producer) = try await wire.initProducer(client, "tx")
            try await transactional(client, topic, producer)
            #expect(try await wire.endTxn(client, "tx", producer, commit: false) == 0)
            try await tiered.produceAll(client, topic)
            try await tiered.waitForOffload(client, topic)
            let read = try await tiered.fetch(client, topic, offset: 0, readCommitted: true)
            #expect(read.errorCode == 0 && read.records?.byteCount ?? 0 > 0)
            #expect(read.abortedTransactions?.map(\.firstOffset) == [0] && read.abortedTransactions?.map(\.producerId) == [producer.id])
        }
    }

    @Test("segments at or past an open transaction stay local until it ends")
    func openTransactionHoldsCopies() async throws {
        let topic = "tiered-open"
        try await withEmbeddedBroker(configure: tiered.configure("tiered-\(UUID().uuidString)")) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            try await tiered.createTieredTopic(client, topic)
            try await tiered.produceAll(client, topic)
            let (_, open) = try await tiered.listOffset(client, topic, -1)
            let (_, producer) = try await wire.initProducer(client, "tx")
            try await transactional(client, topic, producer)
            try await tiered.produceAll(client, topic)
            // The copier catches up to the segment before the open transaction (segments hold 50 records), and never passes it.
            let deadline = ContinuousClock.now + .seconds(60)
            var lastTiered: Int64 = -1
            while ContinuousClock.now < deadline, lastTiered < open - 50 {
                lastTiered = try await tiered.listOffset(client, topic, -5).1
                #expect(lastTiered < open, "nothing at or past the open transaction's first offset \(open) is copied")
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(lastTiered >= open - 50 && lastTiered < open)
            #expect(try await wire.endTxn(client, "tx", producer, commit: true) == 0)
            try await tiered.produceAll(client, topic)
            let (_, end) = try await tiered.listOffset(client, topic, -1)
            let after = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < after, try await tiered.listOffset(client, topic, -5).1 < open {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await tiered.listOffset(client, topic, -5).1 >= open, "copies go on once it committed (log end \(end))")
        }
    }
}
