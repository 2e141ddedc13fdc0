import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

@Suite("Embedded broker, driven over the wire", .timeLimit(.minutes(2)))
struct BrokerRoundTripTests {
    func produce(_ client: KafkaTestClient, topic: String, batch: ByteBuffer, acks: Int16 = -1, version: Int16 = 9) async throws -> ProduceResponse.PartitionProduceResponse {
        var partition = ProduceRequest.PartitionProduceData()
        partition.index = 0
        partition.records = KafkaRecords(bytes: batch)
        var topicData = ProduceRequest.TopicProduceData()
        topicData.name = topic
        topicData.partitionData = [partition]
        var request = ProduceRequest()
        request.acks = acks
        request.timeoutMs = 5_000
        request.topicData = [topicData]
        let response = try await client.request(request, apiKey: .produce, version: version, as: ProduceResponse.self)
        return try #require(response.responses.first?.partitionResponses.first)
    }

    func fetch(_ client: KafkaTestClient, topic: String, offset: Int64, maxWaitMs: Int32 = 0, minBytes: Int32 = 1, version: Int16 = 12) async throws -> FetchResponse.PartitionData {
        var partition = FetchRequest.FetchPartition()
        partition.partition = 0
        partition.fetchOffset = offset
        partition.partitionMaxBytes = 1_048_576
        var topicRequest = FetchRequest.FetchTopic()
        topicRequest.topic = topic
        topicRequest.partitions = [partition]
        var request = FetchRequest()
        request.replicaId = -1
        request.maxWaitMs = maxWaitMs
        request.minBytes = minBytes
        request.maxBytes = 52_428_800
        request.sessionEpoch = -1
        request.topics = [topicRequest]
        let response = try await client.request(request, apiKey: .fetch, version: version, as: FetchResponse.self)
        return try #require(response.responses.first?.partitions.first)
    }

    func batch(_ values: [String], timestamp: Int64 = 1_700_000_000_000) -> ByteBuffer {
        var builder = RecordBatchBuilder()
        for (index, value) in values.enumerated() {
            builder.append(key: ByteBuffer(string: "k\(index)"), value: ByteBuffer(string: value),
                           headers: [Record.Header(key: "h", value: ByteBuffer(string: value))], timestamp: timestamp + Int64(index))
        }
        return builder.build()
    }

    @Test("ApiVersions lists the served APIs; an unknown version gets UNSUPPORTED_VERSION as v0")
    func apiVersions() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let response = try await client.request(ApiVersionsRequest(), apiKey: .apiVersions, version: 3, as: ApiVersionsResponse.self)
            #expect(response.errorCode == 0)
            let keys = Set(response.apiKeys.map(\.apiKey))
            for key in [KafkaApiKey.produce, .fetch, .listOffsets, .metadata, .apiVersions, .createTopics, .deleteTopics, .describeConfigs, .initProducerId] {
                #expect(keys.contains(key.rawValue), "\(key)")
            }
            // A v3 request relabelled v99: the broker must answer from the first bytes alone.
            let header = KafkaRequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 5, clientId: "future")
            var future = try KafkaFrame.request(ApiVersionsRequest(), header: header)
            future.setInteger(Int16(99), at: 6)
            try await client.send(raw: future)
            let frame = try #require(try await client.nextFrame())
            let old = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, from: frame, apiKey: .apiVersions, version: 0)
            #expect(old.correlationId == 5)
            #expect(old.message.errorCode == KafkaErrorCode.unsupportedVersion.code)
            #expect(old.message.apiKeys.contains { $0.apiKey == KafkaApiKey.apiVersions.rawValue && $0.maxVersion == 3 })
        }
    }

    @Test("produce then fetch returns the batch byte for byte, with offsets assigned")
    func produceFetch() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let first = try await produce(client, topic: "orders", batch: batch(["a", "b", "c"]))
            #expect(first.errorCode == 0)
            #expect(first.baseOffset == 0)
            let second = try await produce(client, topic: "orders", batch: batch(["d"]))
            #expect(second.baseOffset == 3)

            let fetched = try await fetch(client, topic: "orders", offset: 1)
            #expect(fetched.errorCode == 0)
            #expect(fetched.highWatermark == 4)
            let records = try #require(fetched.records?.inMemoryBytes)
            let batches = try RecordBatch.split(records)
            #expect(batches.map(\.header.baseOffset) == [0, 3])
            let values = try batches.flatMap { try $0.records() }.map { String(buffer: $0.value!) }
            #expect(values == ["a", "b", "c", "d"])
        }
    }

    @Test("a long-polling fetch wakes when a record arrives")
    func longPoll() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try await KafkaTestClient.connect(port: broker.port)
            let consumer = try await KafkaTestClient.connect(port: broker.port)
            _ = try await produce(producer, topic: "wait", batch: batch(["first"]))
            let clock = ContinuousClock()
            let started = clock.now
            async let waited = fetch(consumer, topic: "wait", offset: 1, maxWaitMs: 10_000)
            try await Task.sleep(for: .milliseconds(200))
            _ = try await produce(producer, topic: "wait", batch: batch(["second"]))
            let result = try await waited
            #expect(clock.now - started < .seconds(5))
            let records = try RecordBatch.split(try #require(result.records?.inMemoryBytes))
            #expect(records.first?.header.baseOffset == 1)
            await producer.close()
            await consumer.close()
        }
    }

    @Test("a corrupt batch gets CORRUPT_MESSAGE and the connection stays usable")
    func corruptBatch() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            var corrupt = batch(["payload"])
            corrupt.setInteger(UInt8(0xFF), at: corrupt.writerIndex - 3)
            let refused = try await produce(client, topic: "crc", batch: corrupt)
            #expect(refused.errorCode == KafkaErrorCode.corruptMessage.code)
            let accepted = try await produce(client, topic: "crc", batch: batch(["fine"]))
            #expect(accepted.errorCode == 0)
            #expect(accepted.baseOffset == 0)
        }
    }

    @Test("a batch over max.message.bytes gets MESSAGE_TOO_LARGE")
    func tooLarge() async throws {
        try await withEmbeddedBroker(configure: { $0 = try! $0.applying([("message.max.bytes", "2000")]) }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let refused = try await produce(client, topic: "big", batch: batch([String(repeating: "x", count: 5_000)]))
            #expect(refused.errorCode == KafkaErrorCode.messageTooLarge.code)
            let accepted = try await produce(client, topic: "big", batch: batch(["small"]))
            #expect(accepted.errorCode == 0)
        }
    }

    @Test("fetching past the end gets OFFSET_OUT_OF_RANGE; an unknown topic UNKNOWN_TOPIC_OR_PARTITION")
    func fetchErrors() async throws {
        try await withEmbeddedBroker(configure: { $0.autoCreateTopics = false }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let unknown = try await fetch(client, topic: "nowhere", offset: 0)
            #expect(unknown.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
            let refused = try await produce(client, topic: "nowhere", batch: batch(["x"]))
            #expect(refused.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
        }
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await produce(client, topic: "short", batch: batch(["x"]))
            let beyond = try await fetch(client, topic: "short", offset: 50)
            #expect(beyond.errorCode == KafkaErrorCode.offsetOutOfRange.code)
        }
    }

    @Test("records survive a broker restart on the same data directory")
    func restart() async throws {
        let directory = try await withEmbeddedBroker(keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            _ = try await produce(client, topic: "durable", batch: batch(["one", "two"]))
            await client.close()
            return broker.dataDirectory
        }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let fetched = try await fetch(client, topic: "durable", offset: 0)
            let values = try RecordBatch.split(try #require(fetched.records?.inMemoryBytes)).flatMap { try $0.records() }.map { String(buffer: $0.value!) }
            #expect(values == ["one", "two"])
            let next = try await produce(client, topic: "durable", batch: batch(["three"]))
            #expect(next.baseOffset == 2)
        }
    }
}
