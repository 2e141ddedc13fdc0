import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

@Suite("Embedded broker, driven over the wire", .timeLimit(.minutes(2)))
struct BrokerRoundTripTests {
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
            let first = try await client.produce(topic: "orders", batch: batch(["a", "b", "c"]))
            #expect(first.errorCode == 0)
            #expect(first.baseOffset == 0)
            let second = try await client.produce(topic: "orders", batch: batch(["d"]))
            #expect(second.baseOffset == 3)

            let fetched = try await client.fetch(topic: "orders", offset: 1)
            #expect(fetched.errorCode == 0)
            #expect(fetched.highWatermark == 4)
            let records = try #require(fetched.records?.inMemoryBytes)
            let batches = try RecordBatch.split(records)
            #expect(batches.map(\.header.baseOffset) == [0, 3])
            let values = try batches.flatMap { try $0.records() }.map { String(buffer: $0.value!) }
            #expect(values == ["a", "b", "c", "d"])
        }
    }

    @Test("Fetch v13 and later find topics by the id Metadata gives")
    func fetchByTopicId() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.produce(topic: "by-id", batch: batch(["x", "y"]))
            var request = MetadataRequest()
            var wanted = MetadataRequest.MetadataRequestTopic()
            wanted.name = "by-id"
            request.topics = [wanted]
            let metadata = try await client.request(request, apiKey: .metadata, version: 12, as: MetadataResponse.self)
            let id = try #require(metadata.topics.first?.topicId)
            #expect(id != .zero)
            for version in Int16(13)...16 {
                let fetched = try await client.fetch(topic: "", topicId: id, offset: 0, version: version)
                #expect(fetched.errorCode == 0, "v\(version)")
                #expect(try RecordBatch.split(try #require(fetched.records?.inMemoryBytes)).first?.header.recordCount == 2)
            }
            let unknown = try await client.fetch(topic: "", topicId: KafkaUUID(high: 1, low: 2), offset: 0, version: 16)
            #expect(unknown.errorCode == KafkaErrorCode.unknownTopicId.code)
        }
    }

    @Test("a long-polling fetch wakes when a record arrives")
    func longPoll() async throws {
        let log = LogCapture()
        try await withEmbeddedBroker(logger: log.logger) { broker in
            let producer = try await KafkaTestClient.connect(port: broker.port)
            let consumer = try await KafkaTestClient.connect(port: broker.port)
            _ = try await producer.produce(topic: "wait", batch: batch(["first"]))
            let clock = ContinuousClock()
            let started = clock.now
            async let waited = consumer.fetch(topic: "wait", offset: 1, maxWaitMs: 60_000)
            // The fetch found nothing at offset 1 and waits for an append.
            try await log.waitFor("fetch waits for appends")
            _ = try await producer.produce(topic: "wait", batch: batch(["second"]))
            let result = try await waited
            #expect(clock.now - started < .seconds(30))
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
            let refused = try await client.produce(topic: "crc", batch: corrupt)
            #expect(refused.errorCode == KafkaErrorCode.corruptMessage.code)
            let accepted = try await client.produce(topic: "crc", batch: batch(["fine"]))
            #expect(accepted.errorCode == 0)
            #expect(accepted.baseOffset == 0)
        }
    }

    @Test("a batch over max.message.bytes gets MESSAGE_TOO_LARGE")
    func tooLarge() async throws {
        try await withEmbeddedBroker(configure: { $0 = try! $0.applying([("message.max.bytes", "2000")]) }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let refused = try await client.produce(topic: "big", batch: batch([String(repeating: "x", count: 5_000)]))
            #expect(refused.errorCode == KafkaErrorCode.messageTooLarge.code)
            let accepted = try await client.produce(topic: "big", batch: batch(["small"]))
            #expect(accepted.errorCode == 0)
        }
    }

    @Test("fetching past the end gets OFFSET_OUT_OF_RANGE; an unknown topic UNKNOWN_TOPIC_OR_PARTITION")
    func fetchErrors() async throws {
        try await withEmbeddedBroker(configure: { $0.autoCreateTopics = false }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let unknown = try await client.fetch(topic: "nowhere", offset: 0)
            #expect(unknown.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
            let refused = try await client.produce(topic: "nowhere", batch: batch(["x"]))
            #expect(refused.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
        }
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.produce(topic: "short", batch: batch(["x"]))
            let beyond = try await client.fetch(topic: "short", offset: 50)
            #expect(beyond.errorCode == KafkaErrorCode.offsetOutOfRange.code)
        }
    }

    @Test("records survive a broker restart on the same data directory")
    func restart() async throws {
        let directory = try await withEmbeddedBroker(keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            _ = try await client.produce(topic: "durable", batch: batch(["one", "two"]))
            await client.close()
            return broker.dataDirectory
        }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let fetched = try await client.fetch(topic: "durable", offset: 0)
            let values = try RecordBatch.split(try #require(fetched.records?.inMemoryBytes)).flatMap { try $0.records() }.map { String(buffer: $0.value!) }
            #expect(values == ["one", "two"])
            let next = try await client.produce(topic: "durable", batch: batch(["three"]))
            #expect(next.baseOffset == 2)
        }
    }
}

@Suite("Large produce requests are spooled, not held in memory", .timeLimit(.minutes(2)))
struct SpooledProduceTests {
    let helper = BrokerRoundTripTests()

    func bigBatch(_ size: Int, seed: UInt8) -> ByteBuffer {
        var builder = RecordBatchBuilder()
        let value = ByteBuffer(bytes: (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) })
        builder.append(key: ByteBuffer(string: "big-\(seed)"), value: value, headers: [Record.Header(key: "n", value: ByteBuffer(string: "\(seed)"))], timestamp: 1_700_000_000_000)
        return builder.build()
    }

    func configure(_ config: inout BrokerConfig) {
        config = try! config.applying([("message.max.bytes", "4000000"), ("produce.spool.threshold.bytes", "100000")])
    }

    @Test("a spooled batch is stored byte for byte, for flexible and older Produce versions")
    func spooledRoundTrip() async throws {
        try await withEmbeddedBroker(configure: configure) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let first = bigBatch(1_500_000, seed: 1)
            let second = bigBatch(700_000, seed: 2)
            let a = try await client.produce(topic: "spooled", batch: first, version: 9)
            let b = try await client.produce(topic: "spooled", batch: second, version: 7)
            let small = try await client.produce(topic: "spooled", batch: helper.batch(["small after big"]), version: 8)
            #expect([a.errorCode, b.errorCode, small.errorCode] == [0, 0, 0])
            #expect([a.baseOffset, b.baseOffset, small.baseOffset] == [0, 1, 2])
            for (offset, original) in [(Int64(0), first), (1, second)] {
                let fetched = try await client.fetch(topic: "spooled", offset: offset)
                let records = try #require(fetched.records?.inMemoryBytes)
                let batch = try #require(try RecordBatch.split(records).first)
                #expect(batch.header.baseOffset == offset)
                #expect(try batch.records().first?.value == (try RecordBatch.split(original)[0].records().first?.value))
            }
        }
    }

    @Test("a spooled batch with a bad CRC gets CORRUPT_MESSAGE and nothing is stored")
    func spooledCorrupt() async throws {
        try await withEmbeddedBroker(configure: configure) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            var corrupt = bigBatch(500_000, seed: 3)
            corrupt.setInteger(UInt8(0x55) ^ corrupt.getInteger(at: 300_000, as: UInt8.self)!, at: 300_000)
            let refused = try await client.produce(topic: "spooled-crc", batch: corrupt)
            #expect(refused.errorCode == KafkaErrorCode.corruptMessage.code)
            let accepted = try await client.produce(topic: "spooled-crc", batch: bigBatch(500_000, seed: 4))
            #expect(accepted.errorCode == 0)
            #expect(accepted.baseOffset == 0)
        }
    }

    @Test("a request pipelined right behind a spooled one is answered, in order")
    func pipelinedBehindSpool() async throws {
        try await withEmbeddedBroker(configure: configure) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let produce = ProduceRequest.single(topic: "pipelined", batch: bigBatch(1_200_000, seed: 7), acks: 1)
            var both = try KafkaFrame.request(produce, header: KafkaRequestHeader(apiKey: .produce, apiVersion: 9, correlationId: 10, clientId: "p"))
            var second = try KafkaFrame.request(ApiVersionsRequest(), header: KafkaRequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 11, clientId: "p"))
            both.writeBuffer(&second)
            try await client.send(raw: both)
            let first = try KafkaFrame.decodeResponse(ProduceResponse.self, from: try #require(try await client.nextFrame()), apiKey: .produce, version: 9)
            let next = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, from: try #require(try await client.nextFrame()), apiKey: .apiVersions, version: 3)
            #expect(first.correlationId == 10)
            #expect(first.message.responses.first?.partitionResponses.first?.errorCode == 0)
            #expect(next.correlationId == 11)
        }
    }

    @Test("a client that disconnects in the middle of a spooled request leaves the broker serving")
    func disconnectMidStream() async throws {
        try await withEmbeddedBroker(configure: configure) { broker in
            let header = KafkaRequestHeader(apiKey: .produce, apiVersion: 9, correlationId: 1, clientId: "quitter")
            let request = ProduceRequest.single(topic: "abandoned", batch: bigBatch(2_000_000, seed: 5))
            let frame = try KafkaFrame.request(request, header: header)
            for cut in [20, 500, 1_000_000] {
                let quitter = try await KafkaTestClient.connect(port: broker.port)
                try await quitter.send(raw: frame.getSlice(at: 0, length: cut)!)
                await quitter.close()
            }
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let accepted = try await client.produce(topic: "abandoned", batch: bigBatch(300_000, seed: 6))
            #expect(accepted.errorCode == 0)
            #expect(accepted.baseOffset == 0)
        }
    }
}
