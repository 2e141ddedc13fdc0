import Foundation
import NIOConcurrencyHelpers
import RdKafka
import Testing

@Suite("Transactional producer and the exactly-once pipeline against the embedded broker", .timeLimit(.minutes(3)))
struct TransactionTests {
    func transactionalProducer(_ broker: EmbeddedBroker, id: String) -> KafkaProducerConfiguration {
        var configuration = producerConfiguration(broker)
        configuration.transactionalID = id
        configuration.transactionTimeout = .seconds(30)
        return configuration
    }

    func values(_ messages: [KafkaConsumerMessage]) -> [String] {
        messages.map { String(decoding: $0.value ?? [], as: UTF8.self) }
    }

    /// Every record of partition 0 of `topic` a consumer with `isolation` reads up to its end.
    func readAll(_ broker: EmbeddedBroker, _ topic: String, isolation: KafkaIsolationLevel, expecting count: Int) async throws -> [String] {
        var configuration = consumerConfiguration(broker)
        configuration.isolationLevel = isolation
        let consumer = try KafkaConsumer(configuration: configuration, logger: testLogger("reader"))
        try await consumer.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: topic, partition: 0), offset: KafkaOffset.beginning)])
        let messages = try await collect(consumer, count: count)
        #expect(try await consumer.nextMessage(timeout: .milliseconds(300)) == nil, "no record beyond the \(count) expected")
        await consumer.close()
        return values(messages)
    }

    @Test("committed records are read under read_committed, aborted ones only under read_uncommitted")
    func commitAndAbort() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "txn")
            let producer = try KafkaProducer(configuration: transactionalProducer(broker, id: "tx-commit"), logger: testLogger("producer"))
            try await producer.initTransactions()
            try producer.beginTransaction()
            for index in 0..<3 { try await producer.enqueue(KafkaProducerMessage(topic: "txn", partition: 0, value: bytes("kept-\(index)"))) }
            try await producer.commitTransaction()
            try producer.beginTransaction()
            try await producer.enqueue(KafkaProducerMessage(topic: "txn", partition: 0, value: bytes("dropped")))
            try await producer.flush()
            try await producer.abortTransaction()
            try await producer.close()

            #expect(try await readAll(broker, "txn", isolation: .readCommitted, expecting: 3) == ["kept-0", "kept-1", "kept-2"])
            #expect(try await readAll(broker, "txn", isolation: .readUncommitted, expecting: 4).last == "dropped")
        }
    }

    @Test("a second producer with the same transactional id fences the first: its errors are fatal")
    func fencing() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "fenced")
            let first = try KafkaProducer(configuration: transactionalProducer(broker, id: "tx-fence"), logger: testLogger("first"))
            try await first.initTransactions()
            try first.beginTransaction()
            try await first.enqueue(KafkaProducerMessage(topic: "fenced", partition: 0, value: bytes("zombie")))
            try await first.flush()
            let second = try KafkaProducer(configuration: transactionalProducer(broker, id: "tx-fence"), logger: testLogger("second"))
            try await second.initTransactions()
            let error = await #expect(throws: KafkaClientError.self) { try await first.commitTransaction() }
            #expect(error?.isFatal == true, "\(String(describing: error))")
            try? await first.close()
            try second.beginTransaction()
            try await second.enqueue(KafkaProducerMessage(topic: "fenced", partition: 0, value: bytes("fresh")))
            try await second.commitTransaction()
            try await second.close()
            #expect(try await readAll(broker, "fenced", isolation: .readCommitted, expecting: 1) == ["fresh"])
        }
    }

    @Test("the pipeline commits each input's output once, also when a transaction is retried; started before its consumer joined, it waits for the join instead of sending offsets the group refuses")
    func pipelineExactlyOnce() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "in")
            try await createTopic(broker, "out")
            let feeder = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("feeder"))
            for index in 0..<100 { try await feeder.enqueue(KafkaProducerMessage(topic: "in", partition: 0, value: bytes("\(index)"))) }
            try await feeder.close()

            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker, group: "pipeline"), logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["in"])
            let producer = try KafkaProducer(configuration: transactionalProducer(broker, id: "tx-pipeline"), logger: testLogger("producer"))
            var pipeline = KafkaTransactionalPipeline(consumer: consumer, producer: producer, maximumRecords: 20)
            let retries = NIOLockedValueBox<[String]>([])
            pipeline.onRetry = { error in retries.withLockedValue { $0.append("\(error)") } }
            let failedOnce = FailOnce()
            try await producer.initTransactions()
            var committed = 0
            let deadline = ContinuousClock.now + .seconds(60)
            while committed < 100, ContinuousClock.now < deadline {
                committed += try await pipeline.runOneTransaction { record in
                    let value = String(decoding: record.value ?? [], as: UTF8.self)
                    if value == "45", failedOnce.first() { throw KafkaTransactionalPipeline.Retry() }
                    return [KafkaProducerMessage(topic: "out", partition: 0, value: bytes("out-\(value)"))]
                }
            }
            #expect(committed == 100)
            #expect(retries.withLockedValue { $0 }.count == 1, "only the transform's own retry: \(retries.withLockedValue { $0 })")
            let position = try await consumer.committed([KafkaTopicPartition(topic: "in", partition: 0)])
            #expect(position.first?.offset == 100)
            await consumer.close()
            try await producer.close()
            #expect(try await readAll(broker, "out", isolation: .readCommitted, expecting: 100) == (0..<100).map { "out-\($0)" })
        }
    }
}

/// True the first time only.
final class FailOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var used = false

    func first() -> Bool {
        lock.withLock {
            defer { used = true }
            return !used
        }
    }
}
