@testable import Barge
@testable import BargeCore
import Foundation
import RdKafka
import Testing

/// The committed vectors of docs/wire-format.md (Tests/WireFormat/vectors.json),
/// also read by the Python reader's tests.
struct WireFormatVectors {
    struct Record {
        let headers: [KafkaHeader]
        let kind: String?
        let value: [UInt8]?
    }

    struct Case {
        let name: String
        let records: [Record]
        /// Record index to the error kind and header its headers must give.
        let envelopeErrors: [Int: (kind: String, header: String)]
        /// Record index to the error kind and header decompressing its value must give.
        let valueErrors: [Int: (kind: String, header: String)]
        /// The payload of each message the case delivers, by message id.
        let messages: [String: [UInt8]]
    }

    static func load() throws -> [Case] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WireFormat/vectors.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { entry in
            let records = (entry["records"] as! [[String: Any]]).map { record in
                let headers = (record["headers"] as! [[Any]]).map { pair in
                    KafkaHeader(key: pair[0] as! String, value: (pair[1] as? String).map(hexBytes))
                }
                let kind = headers.first { $0.key == "barge.kind" }?.value.map { String(decoding: $0, as: UTF8.self) }
                return Record(headers: headers, kind: kind, value: (record["value"] as? String).map(hexBytes))
            }
            func errors(_ key: String) -> [Int: (kind: String, header: String)] {
                (entry[key] as? [String: [String: String]] ?? [:]).reduce(into: [:]) {
                    $0[Int($1.key)!] = ($1.value["kind"]!, $1.value["header"]!)
                }
            }
            let messages = (entry["expect"] as! [[String: Any]]).filter { $0["type"] as? String == "message" }.reduce(into: [String: [UInt8]]()) {
                $0[$1["id"] as! String] = hexBytes($1["payload"] as! String)
            }
            return Case(
                name: entry["name"] as! String, records: records, envelopeErrors: errors("envelope_errors"),
                valueErrors: errors("value_errors"), messages: messages)
        }
    }

    static func hexBytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16)! }
    }
}

@Suite("Wire format v1: the committed test vectors")
struct WireFormatVectorTests {
    @Test("every vector record decodes to its kind, or fails as the vectors say")
    func vectors() throws {
        let cases = try WireFormatVectors.load()
        #expect(cases.count >= 10)
        for vectorCase in cases {
            for (index, record) in vectorCase.records.enumerated() {
                if let expected = vectorCase.envelopeErrors[index] {
                    let error = #expect(throws: BargeWireError.self, "\(vectorCase.name) #\(index)") {
                        try BargeEnvelope(headers: record.headers)
                    }
                    #expect(error?.kind.description == expected.kind, "\(vectorCase.name) #\(index): \(String(describing: error))")
                    #expect(error?.header == expected.header, "\(vectorCase.name) #\(index)")
                    continue
                }
                let envelope = try BargeEnvelope(headers: record.headers)
                switch (envelope, record.kind) {
                case (.plain, nil), (.inline, "inline"?), (.chunk, "chunk"?), (.abort, "abort"?): break
                default: Issue.record("\(vectorCase.name) #\(index): decoded \(envelope), headers say \(record.kind ?? "plain")")
                }
                // Writing the decoded envelope gives back the same headers (a plain record has none of Barge's).
                if envelope != .plain {
                    #expect(try envelope.headers() == record.headers, "\(vectorCase.name) #\(index)")
                }
            }
        }
    }

    @Test("every value decompresses with its codec to the bytes the headers give, or fails as the vectors say")
    func values() throws {
        var decodedValues = 0
        for vectorCase in try WireFormatVectors.load() {
            let envelopes = try vectorCase.records.enumerated().map { index, record in
                vectorCase.envelopeErrors[index] == nil ? try BargeEnvelope(headers: record.headers) : nil
            }
            // Each message's chunk size and payload size, from whichever chunk carries them.
            var chunkSizes: [BargeMessageID: Int] = [:]
            var sizes: [BargeMessageID: Int64] = [:]
            for case .chunk(let chunk)? in envelopes {
                if let chunkSize = chunk.chunkSize { chunkSizes[chunk.id] = chunkSize }
                if let size = chunk.size { sizes[chunk.id] = size }
            }
            var pieces: [String: [Int: [UInt8]]] = [:]
            for (index, (envelope, record)) in zip(envelopes, vectorCase.records).enumerated() {
                let id: BargeMessageID, piece: Int, codec: BargeCodec, expectedSize: Int
                switch envelope {
                case .inline(let inline)?:
                    (id, piece, codec, expectedSize) = (inline.id, 0, inline.codec, Int(inline.size))
                case .chunk(let chunk)?:
                    // A reader that never saw chunk 0 does not know the chunk size: nothing to check.
                    guard let chunkSize = chunkSizes[chunk.id] else { continue }
                    let remaining = sizes[chunk.id].map { Int($0) - chunk.index * chunkSize } ?? chunkSize
                    (id, piece, codec, expectedSize) = (chunk.id, chunk.index, chunk.codec, min(chunkSize, remaining))
                default:
                    continue
                }
                let value = record.value ?? []
                if let expected = vectorCase.valueErrors[index] {
                    let error = #expect(throws: BargeWireError.self, "\(vectorCase.name) #\(index)") {
                        _ = try ChunkCodec.decompress(value, with: codec, expectedSize: expectedSize)
                    }
                    #expect(error?.kind.description == expected.kind, "\(vectorCase.name) #\(index): \(String(describing: error))")
                    #expect(error?.header == expected.header, "\(vectorCase.name) #\(index)")
                    continue
                }
                let bytes = try ChunkCodec.decompress(value, with: codec, expectedSize: expectedSize)
                pieces[id.text, default: [:]][piece] = bytes
                decodedValues += 1
            }
            for (id, payload) in vectorCase.messages {
                let reassembled = (pieces[id] ?? [:]).sorted { $0.key < $1.key }.flatMap(\.value)
                #expect(reassembled == payload, "\(vectorCase.name): message \(id)")
            }
        }
        #expect(decodedValues >= 30)
    }
}
