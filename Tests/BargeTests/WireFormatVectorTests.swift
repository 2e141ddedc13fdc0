import Barge
import Foundation
import RdKafka
import Testing

/// The committed vectors of docs/wire-format.md (Tests/WireFormat/vectors.json),
/// also read by the Python reader's tests.
struct WireFormatVectors {
    struct Record {
        let headers: [KafkaHeader]
        let kind: String?
    }

    struct Case {
        let name: String
        let records: [Record]
        /// Record index to the error kind and header its headers must give.
        let envelopeErrors: [Int: (kind: String, header: String)]
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
                return Record(headers: headers, kind: kind)
            }
            let errors = (entry["envelope_errors"] as? [String: [String: String]] ?? [:]).reduce(into: [Int: (String, String)]()) {
                $0[Int($1.key)!] = ($1.value["kind"]!, $1.value["header"]!)
            }
            return Case(name: entry["name"] as! String, records: records, envelopeErrors: errors)
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
}
