import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import RdKafka
import Testing

@Suite("Large messages sent in transactions", .timeLimit(.minutes(3)))
struct TransactionalSendTests {
    struct Broken: Error {}

    func producer(_ broker: EmbeddedBroker, transactionalID: String?) throws -> LargeMessageProducer {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        settings.policy = .chunked(chunkSize: 64 * 1024)
        settings.producer.linger = .milliseconds(1)
        settings.producer.transactionalID = transactionalID
        return try LargeMessageProducer(configuration: settings, logger: quietLogger())
    }

    func consumer(_ broker: EmbeddedBroker, isolation: KafkaIsolationLevel) throws -> LargeMessageConsumer {
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "g-\(UUID().uuidString)")
        settings.consumer.isolationLevel = isolation
        let consumer = try LargeMessageConsumer(configuration: settings, logger: quietLogger())
        try consumer.subscribe(topics: ["media"])
        return consumer
    }

    @Test("a chunked message of an aborted transaction is never delivered under read_committed; a committed batch is, whole")
    func abortedAndCommitted() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, transactionalID: "tx-media")
            let aborted = testPayload(700_000, seed: 1)
            await #expect(throws: Broken.self) {
                try await producer.inTransaction {
                    _ = try await producer.send(aborted, topic: "media")
                    throw Broken()
                }
            }
            let video = testPayload(1_500_000, seed: 2)
            let thumbnail = testPayload(90_000, seed: 3)
            let receipts = try await producer.inTransaction {
                [try await producer.send(video, topic: "media"), try await producer.send(thumbnail, topic: "media")]
            }
            try await producer.close()
            #expect(receipts.map(\.records) == [23, 2])

            let committed = try consumer(broker, isolation: .readCommitted)
            let received = try await collectEvents(committed, until: messageCount(2))
            await committed.close()
            #expect(received.compactMap(\.failure).isEmpty)
            #expect(received.compactMap(\.payload) == [video, thumbnail])

            let everything = try consumer(broker, isolation: .readUncommitted)
            let all = try await collectEvents(everything, until: messageCount(3))
            await everything.close()
            #expect(all.compactMap(\.payload) == [aborted, video, thumbnail], "read_uncommitted shows the aborted message too")
        }
    }

    @Test("a producer without a transactional id refuses a transaction")
    func notTransactional() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, transactionalID: nil)
            await #expect { try await producer.inTransaction { 1 } } throws: { ($0 as? BargeProducerError)?.kind == .invalidArgument }
            try await producer.close()
        }
    }
}
