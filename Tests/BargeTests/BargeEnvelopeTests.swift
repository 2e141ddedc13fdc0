import Barge
import RdKafka
import Testing

@Suite("Wire format v1: envelope headers")
struct BargeEnvelopeTests {
    let id = BargeMessageID("0123456789abcdef0123456789abcdef")!
    let digest = BargeDigest(hex: String(repeating: "ab", count: 32))!

    func header(_ name: String, _ value: String?) -> KafkaHeader {
        KafkaHeader(key: name, value: value.map { Array($0.utf8) })
    }

    /// The headers of a valid first chunk of a 3-chunk message, with `changes` applied
    /// (a nil value removes the header).
    func firstChunk(_ changes: [String: String?] = [:]) -> [KafkaHeader] {
        var fields: [(String, String?)] = [
            ("barge.v", "1"), ("barge.kind", "chunk"), ("barge.id", id.text), ("barge.index", "0"),
            ("barge.count", "3"), ("barge.size", "2500"), ("barge.codec", "none"), ("barge.chunk-size", "1000"),
        ]
        for (name, value) in changes {
            if let index = fields.firstIndex(where: { $0.0 == name }) { fields[index].1 = value } else { fields.append((name, value)) }
        }
        return fields.compactMap { name, value in value.map { header(name, $0) } }
    }

    @Test("every kind round-trips through its headers, application headers kept in order after Barge's")
    func roundTrip() throws {
        let application = [KafkaHeader(key: "trace", string: "t1"), KafkaHeader(key: "trace", value: nil), KafkaHeader(key: "camera", string: "7")]
        let envelopes: [BargeEnvelope] = [
            .inline(BargeInlineHeader(id: id, size: 5, sha256: digest, codec: .zstd, contentType: "image/jpeg", fileName: "a.jpg", applicationHeaders: application)),
            .chunk(BargeChunkHeader(id: id, index: 0, count: 3, isLast: false, size: 2500, sha256: nil, codec: .lz4, chunkSize: 1000, contentType: "video/mp4", fileName: "v.mp4", applicationHeaders: application)),
            .chunk(BargeChunkHeader(id: id, index: 1, count: nil, isLast: false, size: nil, sha256: nil, codec: .none)),
            .chunk(BargeChunkHeader(id: id, index: 2, count: 3, isLast: true, size: 2500, sha256: digest, codec: .gzip)),
            .abort(BargeAbortHeader(id: id, reason: "disk full")),
        ]
        for envelope in envelopes {
            let headers = try envelope.headers()
            #expect(headers.first?.key == "barge.v")
            #expect(try BargeEnvelope(headers: headers) == envelope)
        }
        let inlineHeaders = try envelopes[0].headers()
        #expect(Array(inlineHeaders.suffix(3)) == application)
    }

    @Test("a record without barge.v is plain, whatever else it carries")
    func plain() throws {
        #expect(try BargeEnvelope(headers: []) == .plain)
        #expect(try BargeEnvelope(headers: [header("content-type", "text/csv")]) == .plain)
    }

    @Test("headers that lie are rejected with the header and the reason", arguments: [
        (["barge.v": "2"], BargeWireError.Kind.unsupportedVersion, "barge.v"),
        (["barge.kind": "fragment"], .malformedValue, "barge.kind"),
        (["barge.id": "0123456789ABCDEF0123456789ABCDEF"], .malformedValue, "barge.id"),
        (["barge.id": nil], .missingHeader, "barge.id"),
        (["barge.index": "-1"], .malformedValue, "barge.index"),
        (["barge.index": "007"], .malformedValue, "barge.index"),
        (["barge.index": "3"], .inconsistent, "barge.index"),
        (["barge.index": nil], .missingHeader, "barge.index"),
        (["barge.count": "0"], .inconsistent, "barge.index"),
        (["barge.count": "99999999999"], .outOfRange, "barge.count"),
        (["barge.count": "1e3"], .malformedValue, "barge.count"),
        (["barge.size": "99999999999999999999"], .malformedValue, "barge.size"),
        (["barge.size": "2251799813685249"], .outOfRange, "barge.size"),
        (["barge.chunk-size": "0"], .outOfRange, "barge.chunk-size"),
        (["barge.chunk-size": "4294967296"], .outOfRange, "barge.chunk-size"),
        (["barge.chunk-size": nil], .missingHeader, "barge.chunk-size"),
        (["barge.codec": "brotli"], .malformedValue, "barge.codec"),
        (["barge.last": "yes"], .malformedValue, "barge.last"),
        (["barge.last": "1"], .inconsistent, "barge.last"),
        (["barge.sha256": "abc"], .malformedValue, "barge.sha256"),
    ] as [([String: String?], BargeWireError.Kind, String)])
    func lyingHeaders(changes: [String: String?], kind: BargeWireError.Kind, header: String) {
        let error = #expect(throws: BargeWireError.self) { try BargeEnvelope(headers: firstChunk(changes)) }
        #expect(error?.kind == kind, "\(String(describing: error))")
        #expect(error?.header == header)
    }

    @Test("duplicate, null and non-UTF-8 Barge headers are rejected")
    func malformedHeaders() {
        let duplicate = #expect(throws: BargeWireError.self) { try BargeEnvelope(headers: firstChunk() + [header("barge.index", "1")]) }
        #expect(duplicate?.kind == .duplicateHeader)
        let null = #expect(throws: BargeWireError.self) { try BargeEnvelope(headers: firstChunk() + [header("barge.filename", nil)]) }
        #expect(null?.kind == .malformedValue)
        let binary = #expect(throws: BargeWireError.self) {
            try BargeEnvelope(headers: firstChunk() + [KafkaHeader(key: "barge.filename", value: [0xff, 0xfe])])
        }
        #expect(binary?.kind == .malformedValue)
        #expect(binary?.header == "barge.filename")
    }

    @Test("the last chunk must carry count, size and digest")
    func lastChunk() throws {
        let last = [
            header("barge.v", "1"), header("barge.kind", "chunk"), header("barge.id", id.text), header("barge.index", "2"),
            header("barge.count", "3"), header("barge.last", "1"), header("barge.codec", "none"), header("barge.size", "2500"),
        ]
        let missingDigest = #expect(throws: BargeWireError.self) { try BargeEnvelope(headers: last) }
        #expect(missingDigest?.kind == .missingHeader)
        #expect(missingDigest?.header == "barge.sha256")
        let complete = try BargeEnvelope(headers: last + [header("barge.sha256", digest.hex)])
        guard case .chunk(let chunk) = complete else { Issue.record("not a chunk"); return }
        #expect(chunk.isLast && chunk.count == 3 && chunk.size == 2500 && chunk.sha256 == digest && chunk.chunkSize == nil)
    }

    @Test("application headers may not use the barge. prefix")
    func reservedPrefix() {
        let envelope = BargeEnvelope.inline(BargeInlineHeader(
            id: id, size: 1, sha256: digest, codec: .none, applicationHeaders: [KafkaHeader(key: "barge.mine", string: "x")]
        ))
        let error = #expect(throws: BargeWireError.self) { try envelope.headers() }
        #expect(error?.kind == .reservedHeaderName)
        #expect(error?.header == "barge.mine")
    }

    @Test("message ids and digests parse only in their canonical form")
    func idsAndDigests() {
        #expect(BargeMessageID().text.count == 32)
        #expect(BargeMessageID(BargeMessageID().text) != nil)
        #expect(BargeMessageID("xyz") == nil)
        #expect(BargeMessageID(String(repeating: "g", count: 32)) == nil)
        #expect(BargeDigest(hex: digest.hex) == digest)
        #expect(BargeDigest(hex: String(repeating: "AB", count: 32)) == nil)
        #expect(BargeDigest(bytes: [1, 2, 3]) == nil)
    }
}
