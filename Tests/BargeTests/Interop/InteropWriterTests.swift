@testable import BargeCore
import Testing

/// `payload` cut as LinkedIn's splitter cuts it: slices of `segmentSize`, the last one shorter.
func linkedInSegments(_ payload: [UInt8], id: LinkedInMessageID, segmentSize: Int) -> [LinkedInSegment] {
    let count = (payload.count + segmentSize - 1) / segmentSize
    return (0..<count).map { index in
        let slice = Array(payload[index * segmentSize..<min(payload.count, (index + 1) * segmentSize)])
        return LinkedInSegment(messageID: id, sequence: index, count: count, size: payload.count, slice: slice)
    }
}

@Suite("Interop writers: what Barge writes, the readers read back")
struct InteropWriterTests {
    let reference = try! InteropObjectReference(bucket: "bucket", key: "prefix/topic/values/2f6c7a1e-0000-4000-8000-000000000001")

    @Test("bakdata: inline and backed payloads, in both modes, for key and value, round-trip", arguments: [BakdataPayload.Mode.byteFlag, .headers])
    func bakdataRoundTrip(mode: BakdataPayload.Mode) throws {
        let payloads = [
            BakdataPayload(content: .inline([]), mode: mode),
            BakdataPayload(content: .inline(Array("foo".utf8)), mode: mode),
            BakdataPayload(content: .inline([0, 1, 2, 255]), mode: mode),
            BakdataPayload(content: .backed(reference), mode: mode),
            BakdataPayload(content: .backed(reference), compression: .zstd, mode: mode),
            BakdataPayload(content: .backed(try InteropObjectReference(bucket: "b", key: "a key with spaces/é")), compression: .gzip, mode: mode),
        ]
        for side in [BakdataSide.key, .value] {
            for payload in payloads {
                let (bytes, headers) = payload.encoded(side: side)
                #expect(try BakdataPayload.decode(bytes, headers: headers, side: side) == payload, "\(payload) as \(side)")
            }
        }
    }

    @Test("bakdata: header mode writes the side's flag header; compression goes under the two-dot name, only for backed payloads")
    func bakdataHeaders() {
        let inline = BakdataPayload(content: .inline([7]), compression: .none, mode: .headers).encoded(side: .key)
        #expect(inline.bytes == [7] && inline.headers == [KafkaHeader(key: BakdataHeaderName.keyFlag, value: [0])])
        let backed = BakdataPayload(content: .backed(reference), compression: .lz4, mode: .byteFlag).encoded()
        #expect(backed.bytes == [1] + Array(reference.uri.utf8))
        #expect(backed.headers == [KafkaHeader(key: BakdataHeaderName.legacyCompression, value: [3])])
    }

    @Test("LinkedIn: segments written in both styles, with the application's headers, read back and join to the payload",
          arguments: [LinkedInSegment.Style.envelope, .recordHeader])
    func linkedInRoundTrip(style: LinkedInSegment.Style) throws {
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let id = LinkedInMessageID(BargeMessageID())
        let segments = linkedInSegments(payload, id: id, segmentSize: 300)
        #expect(segments.map(\.slice.count) == [300, 300, 300, 100])
        var joined: [UInt8] = []
        for segment in segments {
            let (value, header) = segment.encoded(style: style)
            #expect(value.count == segment.slice.count + (style == .envelope ? LinkedInEnvelope.headerSize : 0))
            let headers = [KafkaHeader(key: "app", string: "x"), header]
            let read = try #require(try LinkedInSegment.decode(value: value, headers: headers))
            #expect(read == segment)
            joined += read.slice
        }
        #expect(joined == payload)
    }

    @Test("LinkedIn: the segmenter cuts pieces of any size as the splitter does, holding one segment; too many or too few bytes are errors")
    func linkedInSegmenter() throws {
        let payload = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 11) }
        let id = LinkedInMessageID(BargeMessageID())
        for pieceSize in [1, 7, 300, 301, 1000] {
            var segmenter = LinkedInSegmenter(messageID: id, size: payload.count, segmentSize: 300)
            var segments: [LinkedInSegment] = []
            for start in stride(from: 0, to: payload.count, by: pieceSize) {
                segments += try segmenter.add(Array(payload[start..<min(payload.count, start + pieceSize)]))
            }
            if let last = try segmenter.finish() { segments.append(last) }
            #expect(segments == linkedInSegments(payload, id: id, segmentSize: 300), "pieces of \(pieceSize)")
            #expect(segmenter.count == 4)
        }
        var long = LinkedInSegmenter(messageID: id, size: 10, segmentSize: 4)
        #expect(throws: InteropError.self) { try long.add(Array(repeating: 1, count: 11)) }
        var short = LinkedInSegmenter(messageID: id, size: 10, segmentSize: 4)
        _ = try short.add(Array(repeating: 1, count: 9))
        #expect(throws: InteropError.self) { try short.finish() }
        var empty = LinkedInSegmenter(messageID: id, size: 0, segmentSize: 4)
        #expect(empty.count == 0)
        #expect(try empty.finish() == nil)
    }

    @Test("LinkedIn: a null key of a split message becomes the id's 16 bytes; a key, or a single segment, is kept")
    func linkedInKeys() {
        let id = LinkedInMessageID(mostSignificantBits: 1, leastSignificantBits: 2)
        let split = LinkedInSegment(messageID: id, sequence: 0, count: 2, size: 10, slice: [1])
        let single = LinkedInSegment(messageID: id, sequence: 0, count: 1, size: 1, slice: [1])
        #expect(split.recordKey(applicationKey: nil) == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2])
        #expect(split.recordKey(applicationKey: [9]) == [9])
        #expect(single.recordKey(applicationKey: nil) == nil)
    }

    @Test("LinkedIn: a type 0 header has 25 bytes and no size; types 1 and 2 have 29")
    func linkedInHeaderSizes() throws {
        let id = LinkedInMessageID(mostSignificantBits: 5, leastSignificantBits: 6)
        for (kind, size, length) in [(LinkedInHeader.Kind.legacy, Int32?.none, 25), (.legacyV2, 42, 29), (.v3, 42, 29)] {
            let header = LinkedInHeader(kind: kind, messageID: id, sequence: 1, count: 3, size: size)
            #expect(header.bytes.count == length)
            #expect(try LinkedInHeader(bytes: header.bytes) == header)
        }
    }

    @Test("a segment whose fields disagree is refused by validated(): inconsistent")
    func linkedInValidation() {
        let id = LinkedInMessageID(mostSignificantBits: 1, leastSignificantBits: 1)
        let broken = [
            LinkedInSegment(messageID: id, sequence: 0, count: 0, size: 1, slice: [1]),
            LinkedInSegment(messageID: id, sequence: -1, count: 2, size: 2, slice: [1]),
            LinkedInSegment(messageID: id, sequence: 0, count: 2, size: -1, slice: []),
            LinkedInSegment(messageID: id, sequence: 0, count: 2, size: 2, slice: []),
            LinkedInSegment(messageID: id, sequence: 0, count: 1, size: 2, slice: [1]),
        ]
        for segment in broken {
            #expect(throws: InteropError.self, "\(segment)") { try segment.validated() }
        }
    }
}
