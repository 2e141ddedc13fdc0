@testable import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

@Suite("What Kafka refuses in a Produce request, Barge refuses too", .timeLimit(.minutes(2)))
struct ProduceValidationTests {
    let helper = BrokerRoundTripTests()

    @Test("two batches in one partition's records get INVALID_RECORD")
    func twoBatches() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            var both = helper.batch(["a"])
            var second = helper.batch(["b"])
            both.writeBuffer(&second)
            let refused = try await client.produce(topic: "strict", batch: both)
            #expect(refused.errorCode == KafkaErrorCode.invalidRecord.code)
            let fetched = try await client.fetch(topic: "strict", offset: 0)
            #expect(fetched.highWatermark == 0)
        }
    }

    @Test("a batch without records gets INVALID_RECORD")
    func emptyBatch() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let refused = try await client.produce(topic: "strict", batch: RecordBatchBuilder().build())
            #expect(refused.errorCode == KafkaErrorCode.invalidRecord.code)
        }
    }

    @Test("a failed acks=0 produce closes the connection so the client notices")
    func acksZeroFailure() async throws {
        try await withEmbeddedBroker(configure: { $0.autoCreateTopics = false }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            let request = ProduceRequest.single(topic: "missing", batch: helper.batch(["lost"]), acks: 0)
            try await client.send(raw: try KafkaFrame.request(request, header: KafkaRequestHeader(apiKey: .produce, apiVersion: 9, correlationId: 1, clientId: "fire-and-forget")))
            #expect(try await client.nextFrame() == nil)
            await client.close()
        }
    }

    @Test("one fetch holds at most 1000 file regions, however often it names a partition")
    func regionCap() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.produce(topic: "many", batch: helper.batch(["x"]))
            var partition = FetchRequest.FetchPartition()
            partition.partitionMaxBytes = 1_000_000
            var topic = FetchRequest.FetchTopic()
            topic.topic = "many"
            topic.partitions = Array(repeating: partition, count: 1_500)
            var request = FetchRequest()
            request.maxBytes = 100_000_000
            request.topics = [topic]
            let response = try await client.request(request, apiKey: .fetch, version: 12, as: FetchResponse.self)
            let partitions = try #require(response.responses.first?.partitions)
            #expect(partitions.count == 1_500)
            #expect(partitions.filter { ($0.records?.byteCount ?? 0) > 0 }.count == FetchHandler.maximumRegions)
            #expect(partitions.allSatisfy { $0.errorCode == 0 && $0.highWatermark == 1 })
        }
    }
}

@Suite("Broker settings with Kafka's time units")
struct BrokerTimeSettingTests {
    @Test("ms beats minutes beats hours whatever the order; negative means forever; overflow is refused")
    func retentionUnits() throws {
        let config = try BrokerConfig().applying([("log.retention.ms", "5000"), ("log.retention.hours", "2")])
        #expect(config.topicDefaults.retentionMs == 5_000)
        let minutes = try BrokerConfig().applying([("log.retention.minutes", "3"), ("log.retention.hours", "2")])
        #expect(minutes.topicDefaults.retentionMs == 180_000)
        let forever = try BrokerConfig().applying([("log.retention.hours", "-1")])
        #expect(forever.topicDefaults.retentionMs == -1)
        #expect(throws: BrokerConfigError.self) { try BrokerConfig().applying([("log.retention.hours", "9223372036854775807")]) }
    }

    @Test("listening on all interfaces without an advertised address is refused")
    func wildcardNeedsAdvertised() async throws {
        var config = try BrokerConfig().applying([("listeners", "0.0.0.0:0")])
        config.dataDirectory = "/nonexistent-never-created"
        await #expect(throws: BrokerConfigError.self) {
            _ = try await KafkaBrokerServer.start(config: config, logger: .init(label: "test"))
        }
    }
}
