@testable import BargeCore
import Foundation

/// The committed vectors of docs/interop.md (Tests/WireFormat/interop-vectors.json).
struct InteropVectors {
    struct Record {
        let name: String
        let formats: Set<InteropFormat>
        let value: [UInt8]?
        let headers: [KafkaHeader]
        let expect: [String: Any]
        /// The style Barge's writer must reproduce the record in, if any.
        let writer: String?
    }

    struct Blob {
        let name: String
        let compression: BakdataCompression
        let blob: [UInt8]
        /// The payload it decompresses to; nil if it must fail.
        let payload: [UInt8]?
    }

    let records: [Record]
    let blobs: [Blob]

    static func load() throws -> InteropVectors {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WireFormat/interop-vectors.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let records = (root["records"] as! [[String: Any]]).map { entry in
            Record(
                name: entry["name"] as! String,
                formats: Set((entry["formats"] as! [String]).map { InteropFormat(named: $0)! }),
                value: (entry["value"] as? String).map(hex),
                headers: (entry["headers"] as! [[Any]]).map { KafkaHeader(key: $0[0] as! String, value: ($0[1] as? String).map(hex)) },
                expect: entry["expect"] as! [String: Any],
                writer: entry["writer"] as? String
            )
        }
        let blobs = try (root["blobs"] as! [[String: Any]]).map { entry in
            Blob(
                name: entry["name"] as! String, compression: try compression(named: entry["compression"] as! String),
                blob: hex(entry["blob"] as! String), payload: (entry["payload"] as? String).map(hex)
            )
        }
        return InteropVectors(records: records, blobs: blobs)
    }

    static func compression(named name: String) throws -> BakdataCompression {
        try BakdataCompression(id: UInt8(["none", "gzip", "snappy", "lz4", "zstd"].firstIndex(of: name)!))
    }

    static func hex(_ text: String) -> [UInt8] {
        WireFormatVectors.hexBytes(text)
    }
}
