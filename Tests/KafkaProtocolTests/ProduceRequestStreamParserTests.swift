import KafkaProtocol
import NIOCore
import Testing

@Suite("Streaming Produce parser")
struct ProduceRequestStreamParserTests {
    func request(partitions: [(Int32, Int)]) -> ProduceRequest {
        var request = ProduceRequest()
        request.acks = -1
        request.timeoutMs = 30_000
        var topic = ProduceRequest.TopicProduceData()
        topic.name = "videos"
        for (index, size) in partitions {
            var builder = RecordBatchBuilder()
            builder.append(key: ByteBuffer(string: "k\(index)"), value: ByteBuffer(repeating: UInt8(index), count: size), timestamp: 1)
            var partition = ProduceRequest.PartitionProduceData()
            partition.index = index
            partition.records = KafkaRecords(bytes: builder.build())
            topic.partitionData.append(partition)
        }
        var second = ProduceRequest.TopicProduceData()
        second.name = "empty"
        var nullRecords = ProduceRequest.PartitionProduceData()
        nullRecords.index = 9
        second.partitionData = [nullRecords]
        request.topicData = [topic, second]
        return request
    }

    /// Feeds the frame in pieces of `pieceSize`, with extra bytes after it, and collects the events.
    func parse(_ request: ProduceRequest, version: Int16, pieceSize: Int, threshold: Int) throws -> (KafkaRequestHeader?, [ByteBuffer], ProduceRequest?, [(topic: Int, partition: Int)], ByteBuffer) {
        let header = KafkaRequestHeader(apiKey: .produce, apiVersion: version, correlationId: 7, clientId: "streamer")
        var frame = try KafkaFrame.request(request, header: header)
        let size = Int(frame.readInteger(as: Int32.self)!)
        frame.writeString("NEXT")
        var parser = ProduceRequestStreamParser(frameSize: size, streamThreshold: threshold)
        var seenHeader: KafkaRequestHeader?
        var streams: [ByteBuffer] = []
        var finished: ProduceRequest?
        var positions: [(topic: Int, partition: Int)] = []
        var leftover = ByteBuffer()
        while frame.readableBytes > 0 {
            var piece = frame.readSlice(length: min(pieceSize, frame.readableBytes))!
            for event in try parser.feed(&piece) {
                switch event {
                case .header(let header): seenHeader = header
                case .recordsStart: streams.append(ByteBuffer())
                case .recordsBytes(var bytes): streams[streams.count - 1].writeBuffer(&bytes)
                case .finished(let request, let streamed): (finished, positions) = (request, streamed)
                }
            }
            leftover.writeBuffer(&piece)
        }
        #expect(parser.isFinished)
        return (seenHeader, streams, finished, positions, leftover)
    }

    @Test("large records are streamed, small ones kept, in any piece size and version", arguments: [1, 3, 64, 1_000, 100_000])
    func streams(pieceSize: Int) throws {
        let original = request(partitions: [(0, 50_000), (1, 10), (2, 20_000)])
        for version in [Int16(3), 8, 9] {
            let (header, streams, parsed, positions, leftover) = try parse(original, version: version, pieceSize: pieceSize, threshold: 10_000)
            #expect(header?.correlationId == 7)
            #expect(String(buffer: leftover) == "NEXT", "only the frame's bytes are taken")
            #expect(positions.map(\.partition) == [0, 2])
            #expect(streams.count == 2)
            #expect(streams[0] == original.topicData[0].partitionData[0].records?.inMemoryBytes)
            #expect(streams[1] == original.topicData[0].partitionData[2].records?.inMemoryBytes)
            var expected = original
            expected.topicData[0].partitionData[0].records = nil
            expected.topicData[0].partitionData[2].records = nil
            #expect(parsed == expected, "v\(version) piece \(pieceSize)")
        }
    }

    @Test("a request whose last field is streamed records finishes", arguments: [Int16(3), 7, 8])
    func lastFieldStreamed(version: Int16) throws {
        var original = request(partitions: [(0, 30_000)])
        original.topicData.removeLast()
        let (_, streams, parsed, positions, leftover) = try parse(original, version: version, pieceSize: 4_096, threshold: 10_000)
        #expect(positions.count == 1)
        #expect(streams.first == original.topicData[0].partitionData[0].records?.inMemoryBytes)
        #expect(parsed?.topicData.first?.partitionData.first?.records == nil)
        #expect(String(buffer: leftover) == "NEXT")
    }

    @Test("a frame that ends inside its fields, or a records length past the frame, is an error")
    func hostile() throws {
        let header = KafkaRequestHeader(apiKey: .produce, apiVersion: 7, correlationId: 1, clientId: nil)
        let frame = try KafkaFrame.request(request(partitions: [(0, 100)]), header: header)
        for cut in stride(from: 4, to: frame.readableBytes - 1, by: 5) {
            var truncated = frame.getSlice(at: 4, length: cut - 4)!
            var parser = ProduceRequestStreamParser(frameSize: cut - 4, streamThreshold: 50)
            #expect(throws: KafkaProtocolError.self, "cut at \(cut)") {
                while truncated.readableBytes > 0 || !parser.isFinished {
                    let before = truncated.readableBytes
                    _ = try parser.feed(&truncated)
                    if truncated.readableBytes == before && !parser.isFinished {
                        throw KafkaProtocolError(.truncated, "no progress")
                    }
                }
            }
        }
        var wrongApi = try KafkaFrame.request(MetadataRequest(), header: KafkaRequestHeader(apiKey: .metadata, apiVersion: 9, correlationId: 1, clientId: nil))
        let size = Int(wrongApi.readInteger(as: Int32.self)!)
        var parser = ProduceRequestStreamParser(frameSize: size, streamThreshold: 10)
        #expect(throws: KafkaProtocolError.self) { try parser.feed(&wrongApi) }
    }

    @Test("fields before the records may not grow past the prefix limit")
    func prefixLimit() throws {
        var bytes = ByteBuffer()
        bytes.writeInteger(KafkaApiKey.produce.rawValue)
        bytes.writeInteger(Int16(7))
        bytes.writeInteger(Int32(1))
        bytes.writeInteger(Int16(30_000))  // a client id that claims 30000 bytes
        bytes.writeBytes([UInt8](repeating: 0x41, count: 2_000))
        var parser = ProduceRequestStreamParser(frameSize: 1_000_000, streamThreshold: 10, prefixLimit: 1_024)
        #expect(throws: KafkaProtocolError.self) { try parser.feed(&bytes) }
    }
}
