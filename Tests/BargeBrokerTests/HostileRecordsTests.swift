import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

/// Encodes records field by field so that any field can be wrong.
enum ForgedRecords {
    /// One record; `offsetDelta` and the length prefix's error are the usual poisons.
    static func record(offsetDelta: Int64, value: String, lengthError: Int = 0) -> [UInt8] {
        var body = ByteBuffer()
        body.writeInteger(UInt8(0))
        body.writeKafkaVarint(0)
        body.writeKafkaVarint(offsetDelta)
        body.writeKafkaVarint(-1)
        body.writeKafkaVarint(Int64(value.utf8.count))
        body.writeString(value)
        body.writeKafkaVarint(0)
        var record = ByteBuffer()
        record.writeKafkaVarint(Int64(body.readableBytes + lengthError))
        record.writeBuffer(&body)
        return Array(record.readableBytesView)
    }

    /// A batch of `records` (already encoded) that declares `count` records, with a correct CRC.
    static func batch(_ records: [UInt8], count: Int32, compression: RecordCompression = .none) -> ByteBuffer {
        RecordBatchBuilder.assemble(records: ByteBuffer(bytes: records), recordCount: count, compression: compression, timestamp: 1_700_000_000_000)
    }
}

@Suite("Batches whose CRC is right but whose records are not are refused whole", .timeLimit(.minutes(2)))
struct HostileRecordsTests {
    let helper = BrokerRoundTripTests()

    /// Produces `poison` (refused with `code`), then a good batch, which must land at offset 0 and read back.
    func expectRefusedThenReadable(_ poison: ByteBuffer, code: KafkaErrorCode, topic: String, version: Int16 = 9,
                                   configure: @escaping (inout BrokerConfig) -> Void = { _ in }) async throws -> ProduceResponse.PartitionProduceResponse {
        try await withEmbeddedBroker(configure: configure) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let refused = try await client.produce(topic: topic, batch: poison, version: version)
            #expect(refused.errorCode == code.code, "\(String(describing: refused.errorMessage))")
            #expect(refused.baseOffset == -1)
            let before = try await client.fetch(topic: topic, offset: 0)
            #expect(before.highWatermark == 0, "nothing of a refused batch is appended")
            let good = try await client.produce(topic: topic, batch: helper.batch(["good"]))
            #expect(good.errorCode == 0)
            #expect(good.baseOffset == 0)
            let fetched = try await client.fetch(topic: topic, offset: 0)
            #expect(fetched.highWatermark == 1)
            let values = try RecordBatch.split(try #require(fetched.records?.inMemoryBytes)).flatMap { try $0.records() }.map { String(buffer: $0.value!) }
            #expect(values == ["good"])
            return refused
        }
    }

    @Test("garbage records with a valid CRC get INVALID_RECORD and the partition stays readable")
    func garbageWithValidCRC() async throws {
        let junk = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let refused = try await expectRefusedThenReadable(ForgedRecords.batch(junk, count: 3), code: .invalidRecord, topic: "garbage")
        #expect(refused.errorMessage?.isEmpty == false)
    }

    @Test("a record count of 2^31-1 for one record gets INVALID_RECORD and the high watermark does not move")
    func countOfOneRecordTooLarge() async throws {
        let poison = ForgedRecords.batch(ForgedRecords.record(offsetDelta: 0, value: "one"), count: Int32.max)
        let refused = try await expectRefusedThenReadable(poison, code: .invalidRecord, topic: "count")
        #expect(refused.errorMessage?.contains("2147483647") == true)
    }

    @Test("an offset delta out of order gets INVALID_RECORD with record_errors naming the record (v8+)")
    func offsetDeltaOutOfOrder() async throws {
        let records = ForgedRecords.record(offsetDelta: 0, value: "a") + ForgedRecords.record(offsetDelta: 5, value: "b")
        let refused = try await expectRefusedThenReadable(ForgedRecords.batch(records, count: 2), code: .invalidRecord, topic: "deltas")
        #expect(refused.recordErrors.map(\.batchIndex) == [1])
        #expect(refused.recordErrors.first?.batchIndexErrorMessage?.contains("offset delta 5") == true)
    }

    @Test("a record whose length overruns the batch gets INVALID_RECORD with Produce v3 too")
    func lengthOverrun() async throws {
        let poison = ForgedRecords.batch(ForgedRecords.record(offsetDelta: 0, value: "x", lengthError: 40), count: 1)
        _ = try await expectRefusedThenReadable(poison, code: .invalidRecord, topic: "overrun", version: 3)
    }

    @Test("a compressed body that is not its codec's stream gets CORRUPT_MESSAGE")
    func compressedGarbage() async throws {
        for codec in [RecordCompression.gzip, .lz4, .zstd] {
            let poison = ForgedRecords.batch(Array("not compressed at all".utf8), count: 1, compression: codec)
            _ = try await expectRefusedThenReadable(poison, code: .corruptMessage, topic: "codec-\(codec)")
        }
    }

    @Test("a spooled batch of garbage records is refused; the request's other partition is appended")
    func spooledGarbageBesideGoodPartition() async throws {
        let configure: (inout BrokerConfig) -> Void = { config in
            config = try! config.applying([("message.max.bytes", "4000000"), ("produce.spool.threshold.bytes", "100000"), ("num.partitions", "2")])
        }
        try await withEmbeddedBroker(configure: configure) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            // 300 KiB of garbage (spooled), and a good batch for partition 1.
            let junk = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
            var poison = ProduceRequest.PartitionProduceData()
            poison.index = 0
            poison.records = KafkaRecords(bytes: ForgedRecords.batch(junk, count: 1))
            var good = ProduceRequest.PartitionProduceData()
            good.index = 1
            good.records = KafkaRecords(bytes: helper.batch(["beside"]))
            var topic = ProduceRequest.TopicProduceData()
            topic.name = "spooled-garbage"
            topic.partitionData = [poison, good]
            var request = ProduceRequest()
            request.acks = -1
            request.timeoutMs = 5_000
            request.topicData = [topic]
            let response = try await client.request(request, apiKey: .produce, version: 9, as: ProduceResponse.self)
            let partitions = try #require(response.responses.first?.partitionResponses)
            #expect(partitions.map(\.errorCode) == [KafkaErrorCode.invalidRecord.code, 0])
            let after = try await client.produce(topic: "spooled-garbage", batch: helper.batch(["after"]))
            #expect(after.baseOffset == 0)
        }
    }

    @Test("a keyless record in a compacted topic gets INVALID_RECORD naming it")
    func compactedNeedsKeys() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            var creatable = CreateTopicsRequest.CreatableTopic()
            creatable.name = "compacted"
            creatable.numPartitions = 1
            creatable.replicationFactor = 1
            var config = CreateTopicsRequest.CreatableTopicConfig()
            config.name = "cleanup.policy"
            config.value = "compact"
            creatable.configs = [config]
            var create = CreateTopicsRequest()
            create.topics = [creatable]
            create.timeoutMs = 5_000
            let created = try await client.request(create, apiKey: .createTopics, version: 5, as: CreateTopicsResponse.self)
            #expect(created.topics.first?.errorCode == 0)
            let refused = try await client.produce(topic: "compacted", batch: ForgedRecords.batch(ForgedRecords.record(offsetDelta: 0, value: "keyless"), count: 1))
            #expect(refused.errorCode == KafkaErrorCode.invalidRecord.code)
            #expect(refused.recordErrors.map(\.batchIndex) == [0])
        }
    }
}
