import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

@Suite("Hostile input never crashes the broker", .timeLimit(.minutes(3)))
struct BadInputTests {
    /// Frames a well-meaning client would never send.
    static func hostileFrames(count: Int) -> [ByteBuffer] {
        var generator = SystemRandomNumberGenerator()
        var frames: [ByteBuffer] = []
        for index in 0..<count {
            var frame = ByteBuffer()
            switch index % 6 {
            case 0:  // random bytes, random length prefix
                let length = Int.random(in: 0...64, using: &generator)
                frame.writeInteger(Int32(length))
                frame.writeBytes((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            case 1:  // negative size
                frame.writeInteger(Int32.random(in: Int32.min ... -1, using: &generator))
            case 2:  // size above socket.request.max.bytes
                frame.writeInteger(Int32.random(in: 200_000_000...Int32.max, using: &generator))
            case 3:  // unknown API key
                frame.writeInteger(Int32(10))
                frame.writeInteger(Int16.random(in: 1_000...Int16.max, using: &generator))
                frame.writeInteger(Int16(0))
                frame.writeInteger(Int32(index))
                frame.writeInteger(Int16(-1))
            case 4:  // known API, unsupported version
                frame.writeInteger(Int32(10))
                frame.writeInteger(KafkaApiKey.fetch.rawValue)
                frame.writeInteger(Int16(200))
                frame.writeInteger(Int32(index))
                frame.writeInteger(Int16(-1))
            default:  // a valid header followed by a truncated Metadata body
                let header = KafkaRequestHeader(apiKey: .metadata, apiVersion: 9, correlationId: Int32(index), clientId: "x")
                var request = MetadataRequest()
                var topic = MetadataRequest.MetadataRequestTopic()
                topic.name = "t"
                request.topics = [topic]
                var whole = try! KafkaFrame.request(request, header: header)
                let cut = Int.random(in: 15..<(whole.readableBytes - 1), using: &generator)
                whole.moveWriterIndex(to: cut)
                whole.setInteger(Int32(cut - 4), at: 0)
                frame = whole
            }
            frames.append(frame)
        }
        return frames
    }

    @Test("thousands of hostile frames, each on its own connection, then a normal round trip")
    func hostileFramesThenRoundTrip() async throws {
        try await withEmbeddedBroker { broker in
            for frame in Self.hostileFrames(count: 1_200) {
                let client = try await KafkaTestClient.connect(port: broker.port)
                try await client.send(raw: frame)
                // The broker answers (e.g. UNSUPPORTED_VERSION) or closes; it never hangs the test.
                _ = try? await client.nextFrame()
                await client.close()
            }
            let client = try await KafkaTestClient.connect(port: broker.port)
            let response = try await client.request(ApiVersionsRequest(), apiKey: .apiVersions, version: 3, as: ApiVersionsResponse.self)
            #expect(response.errorCode == 0)
            var builder = RecordBatchBuilder()
            builder.append(key: nil, value: ByteBuffer(string: "still alive"), timestamp: 1)
            let produce = ProduceRequest.single(topic: "after-abuse", batch: builder.build(), acks: 1)
            let produced = try await client.request(produce, apiKey: .produce, version: 7, as: ProduceResponse.self)
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)
            await client.close()
        }
    }

    @Test("a malformed request closes only its own connection")
    func otherConnectionsUndisturbed() async throws {
        try await withEmbeddedBroker { broker in
            let healthy = try await KafkaTestClient.connect(port: broker.port)
            let hostile = try await KafkaTestClient.connect(port: broker.port)
            var garbage = ByteBuffer()
            garbage.writeInteger(Int32(-7))
            try await hostile.send(raw: garbage)
            #expect(try await hostile.nextFrame() == nil)
            let response = try await healthy.request(ApiVersionsRequest(), apiKey: .apiVersions, version: 2, as: ApiVersionsResponse.self)
            #expect(response.errorCode == 0)
            await healthy.close()
            await hostile.close()
        }
    }

    @Test("frames split into single bytes are reassembled")
    func byteByByte() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            let header = KafkaRequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: 42, clientId: "slow")
            var frame = try KafkaFrame.request(ApiVersionsRequest(), header: header)
            while let byte = frame.readSlice(length: 1) {
                try await client.send(raw: byte)
            }
            let reply = try #require(try await client.nextFrame())
            let decoded = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, from: reply, apiKey: .apiVersions, version: 3)
            #expect(decoded.correlationId == 42)
            await client.close()
        }
    }
}

@Suite("Broker configuration")
struct BrokerConfigTests {
    @Test("Kafka property names set broker and topic defaults")
    func properties() throws {
        let text = """
            # comment
            message.max.bytes=209715200
            socket.request.max.bytes: 314572800
            auto.create.topics.enable=false
            num.partitions=3
            log.retention.hours=2
            listeners=PLAINTEXT://127.0.0.1:19092
            """
        let config = try BrokerConfig().applying(try BrokerConfig.parseProperties(text))
        #expect(config.messageMaxBytes == 209_715_200)
        #expect(config.topicDefaults.maxMessageBytes == 209_715_200)
        #expect(config.socketRequestMaxBytes == 314_572_800)
        #expect(config.autoCreateTopics == false)
        #expect(config.numPartitions == 3)
        #expect(config.topicDefaults.retentionMs == 7_200_000)
        #expect(config.listenPort == 19_092)
    }

    @Test("unknown names and bad values are refused with a message naming them")
    func refusals() {
        #expect { try BrokerConfig().applying([("no.such.setting", "1")]) } throws: { "\($0)".contains("no.such.setting") }
        #expect { try BrokerConfig().applying([("num.partitions", "zero")]) } throws: { "\($0)".contains("num.partitions") }
        #expect { try BrokerConfig().applying([("listeners", "nonsense")]) } throws: { "\($0)".contains("HOST:PORT") }
        #expect { try BrokerConfig().applying([("log.segment.bytes", "-5")]) } throws: { "\($0)".contains("segment") }
        #expect(throws: (any Error).self) { try BrokerConfig.parseProperties("just words") }
    }
}
