import Foundation
import RdKafka
import Testing

@Suite("Admin client against the embedded broker", .timeLimit(.minutes(2)))
struct AdminClientTests {
    func admin(_ broker: EmbeddedBroker) throws -> KafkaAdminClient {
        try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: testLogger("admin"))
    }

    @Test("create with configs, describe, list, delete")
    func topicLifecycle() async throws {
        try await withTestBroker { broker in
            let admin = try admin(broker)
            try await admin.createTopic("videos", partitions: 3, configs: ["max.message.bytes": "10485760", "retention.ms": "3600000"])
            let configs = try await admin.describeTopicConfig("videos")
            #expect(configs["max.message.bytes"] == "10485760")
            #expect(configs["retention.ms"] == "3600000")
            #expect(configs["cleanup.policy"] == "delete")

            let videos = try await admin.listTopics().first { $0.name == "videos" }
            #expect(videos?.partitions.map(\.id) == [0, 1, 2])
            #expect(videos?.partitions.allSatisfy { $0.leader == 1 } == true)
            #expect(videos?.error == nil)

            try await admin.deleteTopic("videos")
            #expect(try await admin.listTopics().contains { $0.name == "videos" } == false)
            await admin.close()
        }
    }

    @Test("a producer describes a topic's settings through its own connection")
    func producerDescribesTopic() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "limited", configs: ["max.message.bytes": "2000000"])
            let producer = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("producer"))
            let configs = try await producer.describeTopicConfig("limited")
            #expect(configs["max.message.bytes"] == "2000000")
            let missing = await #expect(throws: KafkaClientError.self) { try await producer.describeTopicConfig("absent") }
            #expect(missing?.kind == .topicError)
            // The producer still produces after the admin request.
            let report = try await producer.send(KafkaProducerMessage(topic: "limited", value: bytes("after")))
            #expect(report.offset == 0)
            try await producer.close()
        }
    }

    @Test("errors name the topic and carry the broker's code")
    func topicErrors() async throws {
        try await withTestBroker { broker in
            let admin = try admin(broker)
            try await admin.createTopic("once", partitions: 1)
            let duplicate = await #expect(throws: KafkaClientError.self) { try await admin.createTopic("once", partitions: 1) }
            #expect(duplicate?.kind == .topicError)
            #expect(duplicate?.name == "TOPIC_ALREADY_EXISTS")
            #expect(duplicate?.message.contains("once") == true)

            let missing = await #expect(throws: KafkaClientError.self) { try await admin.deleteTopic("never-created") }
            #expect(missing?.name == "UNKNOWN_TOPIC_OR_PART")

            let badConfig = await #expect(throws: KafkaClientError.self) {
                try await admin.createTopic("bad-config", partitions: 1, configs: ["retention.ms": "soon"])
            }
            #expect(badConfig?.kind == .topicError)
            #expect(badConfig?.name == "INVALID_CONFIG")

            let badPartitions = await #expect(throws: KafkaClientError.self) { try await admin.createTopic("no-partitions", partitions: 0) }
            #expect(badPartitions != nil)
            await admin.close()
        }
    }

    @Test("a consumer of a deleted topic gets a typed error and can go on")
    func deletedTopic() async throws {
        try await withTestBroker { broker in
            let admin = try admin(broker)
            try await admin.createTopic("short-lived", partitions: 1)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("producer"))
            _ = try await producer.send(KafkaProducerMessage(topic: "short-lived", value: bytes("before")))
            try await producer.close()

            var settings = consumerConfiguration(broker)
            settings.connection.additionalProperties["topic.metadata.refresh.interval.ms"] = "500"
            let consumer = try KafkaConsumer(configuration: settings, logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["short-lived"])
            #expect(try await collect(consumer, count: 1).first?.value == bytes("before"))

            try await admin.deleteTopic("short-lived")
            let error = try await withTimeout(.seconds(30)) { () -> KafkaClientError? in
                do {
                    for try await _ in consumer.messages {}
                    return nil
                } catch let error as KafkaClientError {
                    return error
                }
            }
            #expect(error?.name == "UNKNOWN_TOPIC_OR_PART" || error?.name == "_UNKNOWN_TOPIC")
            #expect(error?.message.contains("short-lived") == true)
            #expect(error?.isFatal == false)

            // The error did not end the consumer: once the topic is back, its messages arrive.
            try await admin.createTopic("short-lived", partitions: 1)
            let again = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("producer"))
            _ = try await again.send(KafkaProducerMessage(topic: "short-lived", value: bytes("after")))
            try await again.close()
            #expect(try await collect(consumer, count: 1).first?.value == bytes("after"))
            await consumer.close()
            await admin.close()
        }
    }
}
