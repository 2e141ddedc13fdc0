import CRdKafka
import Foundation
import NIOConcurrencyHelpers
import RdKafka
import Testing

@Suite("Against librdkafka's mock cluster: not tied to Barge's broker, and broker failures", .timeLimit(.minutes(2)))
struct MockClusterTests {
    func producer(_ cluster: MockCluster) throws -> KafkaProducer {
        var settings = KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrapServers])
        settings.enableIdempotence = true
        settings.linger = .milliseconds(1)
        settings.messageTimeout = .seconds(30)
        return try KafkaProducer(configuration: settings, logger: testLogger("producer"))
    }

    func consumeAll(_ cluster: MockCluster, topic: String, count: Int) async throws -> [KafkaConsumerMessage] {
        var settings = KafkaConsumerConfiguration(bootstrapServers: [cluster.bootstrapServers], groupID: "group-\(UUID().uuidString)")
        settings.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: settings, logger: testLogger("consumer"))
        try consumer.subscribe(topics: [topic])
        let messages = try await collect(consumer, count: count, timeout: .seconds(60))
        try await consumer.commit()
        await consumer.close()
        return messages
    }

    @Test("a three-broker cluster: produce, then consume in a group, order kept per partition")
    func roundTrip() async throws {
        let cluster = MockCluster(brokers: 3)
        cluster.createTopic("mock-orders", partitions: 3, replicationFactor: 3)
        let producer = try producer(cluster)
        for index in 0..<1000 {
            try await producer.enqueue(KafkaProducerMessage(topic: "mock-orders", key: bytes("k\(index % 5)"), value: bytes("\(index)")))
        }
        try await producer.close()
        let messages = try await consumeAll(cluster, topic: "mock-orders", count: 1000)
        #expect(Set(messages.map { String(decoding: $0.value!, as: UTF8.self) }).count == 1000)
        for partition in Set(messages.map(\.partition)) {
            let offsets = messages.filter { $0.partition == partition }.map(\.offset)
            #expect(offsets == offsets.sorted())
        }
    }

    @Test("the leader goes down mid-stream: idempotent delivery resumes on the new leader, exactly once")
    func leaderFailure() async throws {
        let cluster = MockCluster(brokers: 3)
        cluster.createTopic("mock-failover", partitions: 1, replicationFactor: 3)
        cluster.setLeader(topic: "mock-failover", partition: 0, broker: 1)
        let producer = try producer(cluster)
        for index in 0..<200 {
            try await producer.enqueue(KafkaProducerMessage(topic: "mock-failover", value: bytes("\(index)")))
        }
        try await producer.flush()
        cluster.setBroker(1, up: false)
        let enqueued = NIOLockedValueBox(0)
        let sending = Task {
            for index in 200..<400 {
                try await producer.enqueue(KafkaProducerMessage(topic: "mock-failover", value: bytes("\(index)")))
                enqueued.withLockedValue { $0 += 1 }
            }
            try await producer.flush(timeout: .seconds(60))
        }
        // Every message of the second half is sent while the leader is down, and waits for it.
        try await eventually { enqueued.withLockedValue { $0 } == 200 }
        #expect(producer.inFlightBytes > 0)
        cluster.setLeader(topic: "mock-failover", partition: 0, broker: 2)
        try await sending.value
        cluster.setBroker(1, up: true)
        try await producer.close()

        let values = try await consumeAll(cluster, topic: "mock-failover", count: 400).map { String(decoding: $0.value!, as: UTF8.self) }
        #expect(values == (0..<400).map(String.init))
    }

    @Test("retriable produce errors are retried; a fatal one reaches the caller typed")
    func injectedProduceErrors() async throws {
        let cluster = MockCluster(brokers: 1)
        cluster.createTopic("mock-errors", partitions: 1, replicationFactor: 1)
        let producer = try producer(cluster)
        _ = try await producer.send(KafkaProducerMessage(topic: "mock-errors", value: bytes("warm-up")))

        cluster.failNextRequests(apiKey: 0, with: [RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS])
        let report = try await producer.send(KafkaProducerMessage(topic: "mock-errors", value: bytes("retried")))
        #expect(report.offset == 1)

        cluster.failNextRequests(apiKey: 0, with: [RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED])
        let error = await #expect(throws: KafkaClientError.self) {
            try await producer.send(KafkaProducerMessage(topic: "mock-errors", value: bytes("refused")))
        }
        #expect(error?.name == "TOPIC_AUTHORIZATION_FAILED")
        #expect(error?.isRetriable == false)
        #expect(error?.message.contains("mock-errors") == true)
        try await producer.close()
    }
}
