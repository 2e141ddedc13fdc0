import KafkaProtocol
import NIOCore
import Testing

@Suite("Generated message codecs")
struct GeneratedMessageTests {
    @Test("every generated message round-trips at every version it defines")
    func defaultsRoundTrip() throws {
        #expect(allGeneratedKafkaMessageTypes.count >= 50)
        for type in allGeneratedKafkaMessageTypes {
            for version in type.versions {
                try roundTrip(type.init(), version: version)
            }
        }
    }

    @Test("every generated message, with every field of a version set, round-trips at that version")
    func populatedSamplesRoundTrip() throws {
        #expect(GeneratedMessageSamples.all.count == allGeneratedKafkaMessageTypes.count)
        var populated = 0
        for entry in GeneratedMessageSamples.all {
            for version in entry.versions {
                populated += try roundTripPopulated(entry.sample(version), version: version) ? 1 : 0
            }
        }
        #expect(populated > 300)
    }

    /// Round-trips a sample; returns whether it differs from the default message.
    private func roundTripPopulated<Message: KafkaMessage>(_ message: Message, version: Int16) throws -> Bool {
        try roundTrip(message, version: version)
        return message != Message()
    }

    private func roundTrip<Message: KafkaMessage>(_ message: Message, version: Int16) throws {
        let bytes = try message.encoded(version: version)
        let decoded = try Message(decodingAll: bytes, version: version)
        #expect(decoded == message, "\(Message.self) v\(version)")
        #expect(try decoded.encoded(version: version) == bytes, "\(Message.self) v\(version) re-encodes differently")
    }

    @Test("versions outside the schema are refused both ways")
    func unknownVersions() {
        #expect { try MetadataRequest().encoded(version: 99) } throws: { ($0 as? KafkaProtocolError)?.kind == .unsupportedVersion }
        var buffer = ByteBuffer()
        #expect(throws: KafkaProtocolError.self) { try FetchRequest(from: &buffer, version: -1) }
    }

    @Test("a field the version lacks cannot be encoded silently")
    func fieldMissingInVersion() {
        var request = MetadataRequest()
        request.allowAutoTopicCreation = false
        #expect { try request.encoded(version: 3) } throws: { ($0 as? KafkaProtocolError)?.kind == .invalidValue }
        #expect(throws: Never.self) { try request.encoded(version: 4) }
    }

    @Test("tagged fields at their default are not written (librdkafka < 2.2 mis-skips them)")
    func defaultTaggedFieldsOmitted() throws {
        let plain = try ApiVersionsResponse().encoded(version: 3)
        // error code, empty compact array, throttle time, empty tag section.
        #expect(Array(plain.readableBytesView) == [0, 0, 1, 0, 0, 0, 0, 0])
        var tagged = ApiVersionsResponse()
        tagged.finalizedFeaturesEpoch = 5
        let bytes = try tagged.encoded(version: 3)
        #expect(bytes.readableBytes == plain.readableBytes + 10)
        #expect(try ApiVersionsResponse(decodingAll: bytes, version: 3).finalizedFeaturesEpoch == 5)
    }

    @Test("a populated Produce request round-trips with its records untouched")
    func produceRoundTrip() throws {
        var builder = RecordBatchBuilder()
        builder.append(key: ByteBuffer(string: "k"), value: ByteBuffer(string: "v"), timestamp: 1)
        var partition = ProduceRequest.PartitionProduceData()
        partition.index = 3
        partition.records = KafkaRecords(bytes: builder.build())
        var topic = ProduceRequest.TopicProduceData()
        topic.name = "orders"
        topic.partitionData = [partition]
        var request = ProduceRequest()
        request.acks = -1
        request.timeoutMs = 30_000
        request.topicData = [topic]
        for version in Int16(3)...11 {
            try roundTrip(request, version: version)
        }
    }

    @Test("truncated messages throw at every length", arguments: [Int16(0), 9, 12])
    func truncatedMetadata(version: Int16) throws {
        var response = MetadataResponse()
        var broker = MetadataResponse.MetadataResponseBroker()
        broker.host = "localhost"
        broker.port = 9092
        response.brokers = [broker]
        var topic = MetadataResponse.MetadataResponseTopic()
        topic.name = "t"
        topic.partitions = [MetadataResponse.MetadataResponsePartition()]
        response.topics = [topic]
        let bytes = try response.encoded(version: version)
        for length in 0..<bytes.readableBytes {
            #expect(throws: KafkaProtocolError.self) {
                try MetadataResponse(decodingAll: bytes.getSlice(at: 0, length: length)!, version: version)
            }
        }
    }
}
