import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// Frames captured from kcat, confluent-kafka, kafka-python and aiokafka
/// (see Golden/README.md): requests must decode and re-encode to the same
/// bytes; responses (from Tansu) must decode completely.
@Suite("Golden frames from real clients")
struct GoldenFrameTests {
    struct Golden: CustomStringConvertible, Sendable {
        let name: String
        let api: String
        let version: Int16
        let isRequest: Bool
        let frame: ByteBuffer
        var description: String { name }
    }

    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func load() throws -> [Golden] {
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".hex") }.sorted()
        return try files.map { file in
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8).filter { !$0.isWhitespace }
            var bytes: [UInt8] = []
            var index = text.startIndex
            while index < text.endIndex {
                let next = text.index(index, offsetBy: 2)
                bytes.append(UInt8(text[index..<next], radix: 16)!)
                index = next
            }
            // <client>-<Api>-v<version>-<request|response>.hex; client names may hold dashes.
            let parts = file.dropLast(4).split(separator: "-")
            let version = Int16(parts[parts.count - 2].dropFirst())!
            return Golden(name: file, api: String(parts[parts.count - 3]), version: version,
                          isRequest: parts.last == "request", frame: ByteBuffer(bytes: bytes))
        }
    }

    static let requestTypes: [String: any KafkaMessage.Type] = [
        "ApiVersions": ApiVersionsRequest.self, "Metadata": MetadataRequest.self,
        "Produce": ProduceRequest.self, "Fetch": FetchRequest.self,
    ]
    static let responseTypes: [String: any KafkaMessage.Type] = [
        "ApiVersions": ApiVersionsResponse.self, "Metadata": MetadataResponse.self,
        "Produce": ProduceResponse.self, "Fetch": FetchResponse.self,
    ]
    static let apiKeys: [String: KafkaApiKey] = ["ApiVersions": .apiVersions, "Metadata": .metadata, "Produce": .produce, "Fetch": .fetch]

    @Test("every client's frames are there")
    func coverage() throws {
        let goldens = try Self.load()
        #expect(goldens.count >= 20)
        for client in ["kcat", "confluent-kafka", "kafka-python", "aiokafka"] {
            #expect(goldens.contains { $0.name.hasPrefix(client + "-ApiVersions") }, "\(client)")
        }
        for api in ["Metadata", "Produce", "Fetch"] {
            #expect(goldens.filter { $0.api == api && $0.isRequest }.count >= 3, "\(api)")
        }
    }

    @Test("requests decode and re-encode to the bytes the client sent")
    func requests() throws {
        for golden in try Self.load() where golden.isRequest {
            var frame = golden.frame
            let size = frame.readInteger(as: Int32.self)
            #expect(size.map(Int.init) == frame.readableBytes, "\(golden)")
            let original = frame
            let header = try KafkaRequestHeader(from: &frame)
            #expect(header.apiKey == Self.apiKeys[golden.api], "\(golden)")
            #expect(header.apiVersion == golden.version, "\(golden)")
            let type = try #require(Self.requestTypes[golden.api])
            let reencoded = try reencode(type, header: header, body: frame)
            #expect(reencoded == original, "\(golden) re-encodes differently")
        }
    }

    @Test("responses decode completely, and their record batches pass CRC")
    func responses() throws {
        var batchesChecked = 0
        for golden in try Self.load() where !golden.isRequest {
            var frame = golden.frame
            frame.moveReaderIndex(forwardBy: 4)
            let key = try #require(Self.apiKeys[golden.api])
            let type = try #require(Self.responseTypes[golden.api])
            let message = try decodeResponse(type, frame: frame, key: key, version: golden.version)
            if let fetch = message as? FetchResponse {
                for partition in fetch.responses.flatMap(\.partitions) {
                    guard let records = partition.records?.inMemoryBytes, records.readableBytes > 0 else { continue }
                    let batches = try RecordBatch.split(records)
                    batchesChecked += batches.count
                    #expect(try batches.flatMap { try $0.records() }.count == 3, "\(golden)")
                }
            }
        }
        #expect(batchesChecked >= 3)
    }

    private func reencode<Message: KafkaMessage>(_ type: Message.Type, header: KafkaRequestHeader, body: ByteBuffer) throws -> ByteBuffer {
        let message = try Message(decodingAll: body, version: header.apiVersion)
        var frame = try KafkaFrame.request(message, header: header)
        frame.moveReaderIndex(forwardBy: 4)
        return frame
    }

    private func decodeResponse<Message: KafkaMessage>(_ type: Message.Type, frame: ByteBuffer, key: KafkaApiKey, version: Int16) throws -> any KafkaMessage {
        try KafkaFrame.decodeResponse(type, from: frame, apiKey: key, version: version).message
    }
}
