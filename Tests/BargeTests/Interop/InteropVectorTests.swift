@testable import BargeCore
import Testing

@Suite("Interop: the committed vectors of bakdata's, LinkedIn's and irori's formats")
struct InteropVectorTests {
    @Test("every vector record reads as the vectors say: plain, inline, object, segment, or a typed error")
    func records() throws {
        let vectors = try InteropVectors.load()
        #expect(vectors.records.count >= 50)
        for vector in vectors.records {
            let type = vector.expect["type"] as! String
            if type == "error" {
                let error = #expect(throws: InteropError.self, "\(vector.name)") {
                    try InteropRecord.decode(value: vector.value, headers: vector.headers, formats: vector.formats)
                }
                #expect(error?.kind.description == vector.expect["kind"] as? String, "\(vector.name): \(String(describing: error))")
                #expect(error?.field == vector.expect["field"] as? String, "\(vector.name): \(String(describing: error))")
                continue
            }
            let decoded = try InteropRecord.decode(value: vector.value, headers: vector.headers, formats: vector.formats)
            #expect(decoded?.1 == expected(vector), "\(vector.name)")
        }
    }

    @Test("Barge's writers reproduce the vectors marked for them byte for byte")
    func writers() throws {
        let vectors = try InteropVectors.load()
        let written = vectors.records.filter { $0.writer != nil }
        #expect(written.count >= 8)
        for vector in written {
            switch try InteropRecord.decode(value: vector.value, headers: vector.headers, formats: vector.formats)?.1 {
            case .segment(let segment):
                let (value, header) = segment.encoded(style: vector.writer == "envelope" ? .envelope : .recordHeader)
                #expect(value == vector.value && [header] == vector.headers, "\(vector.name)")
            case .inline, .object:
                let payload = try #require(try BakdataPayload.decode(vector.value, headers: vector.headers))
                #expect(payload.mode == (vector.writer == "byteFlag" ? .byteFlag : .headers), "\(vector.name)")
                let (bytes, headers) = payload.encoded()
                #expect(bytes == vector.value && headers == vector.headers, "\(vector.name)")
            case nil:
                Issue.record("\(vector.name): nothing to write")
            }
        }
    }

    @Test("LinkedIn's checksum of the vectors' UUID is 0x11335576, and the id maps to and from Barge's")
    func linkedInID() {
        let id = LinkedInMessageID(mostSignificantBits: 0x0011_2233_4455_6677, leastSignificantBits: 0x8899_aabb_ccdd_eeff)
        #expect(id.checksum == 0x1133_5576)
        #expect(id.bargeID.text == "00112233445566778899aabbccddeeff")
        #expect(LinkedInMessageID(id.bargeID) == id)
        #expect(id.bytes == InteropVectors.hex("00112233445566778899aabbccddeeff"))
        // The sum wraps: (int)(MSB + LSB) of two large halves.
        let wrapping = LinkedInMessageID(mostSignificantBits: .max, leastSignificantBits: 2)
        #expect(wrapping.checksum == 1)
    }

    private func expected(_ vector: InteropVectors.Record) -> InteropRecord? {
        let expect = vector.expect
        switch expect["type"] as! String {
        case "inline":
            return .inline(InteropVectors.hex(expect["payload"] as! String))
        case "object":
            let reference = try! InteropObjectReference(bucket: expect["bucket"] as! String, key: expect["key"] as! String)
            return .object(InteropObject(
                format: InteropFormat(named: expect["format"] as! String)!, reference: reference,
                compression: try! InteropVectors.compression(named: expect["compression"] as! String), size: (expect["size"] as? Int).map(Int64.init)
            ))
        case "segment":
            return .segment(LinkedInSegment(
                messageID: LinkedInMessageID(BargeMessageID(expect["id"] as! String)!), sequence: expect["sequence"] as! Int,
                count: expect["count"] as! Int, size: expect["size"] as! Int, slice: InteropVectors.hex(expect["slice"] as! String)
            ))
        default:
            return nil
        }
    }
}
