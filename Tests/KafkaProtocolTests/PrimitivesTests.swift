import KafkaProtocol
import NIOCore
import Testing

@Suite("Kafka primitive types")
struct PrimitivesTests {
    static let unsignedVectors: [(UInt64, [UInt8])] = [
        (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]), (UInt64(UInt32.max), [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]
    static let zigzagVectors: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (63, [0x7E]), (-64, [0x7F]), (64, [0x80, 0x01]),
    ]

    @Test("unsigned varints match the protobuf encoding", arguments: unsignedVectors)
    func unsignedVarint(value: UInt64, bytes: [UInt8]) throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaUnsignedVarint(value)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(try buffer.readKafkaUnsignedVarint() == UInt32(value))
        #expect(buffer.readableBytes == 0)
    }

    @Test("zigzag varints round-trip and encode small magnitudes in one byte", arguments: zigzagVectors)
    func zigzag(value: Int64, bytes: [UInt8]) throws {
        var buffer = ByteBuffer()
        buffer.writeKafkaVarint(value)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(try buffer.readKafkaVarlong() == value)
    }

    @Test("varlong extremes round-trip")
    func varlongExtremes() throws {
        for value in [Int64.min, Int64.max, Int64(Int32.min), Int64(Int32.max)] {
            var buffer = ByteBuffer()
            buffer.writeKafkaVarint(value)
            #expect(try buffer.readKafkaVarlong() == value)
        }
    }

    @Test("an over-long varint is rejected")
    func overlongVarint() {
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(throws: KafkaProtocolError.self) { try buffer.readKafkaUnsignedVarint() }
    }

    @Test("a truncated varint is rejected")
    func truncatedVarint() {
        var buffer = ByteBuffer(bytes: [0x80, 0x80])
        #expect { try buffer.readKafkaUnsignedVarint() } throws: { ($0 as? KafkaProtocolError)?.kind == .truncated }
    }

    @Test("strings: classic and compact, nullable, with lengths checked before allocating")
    func strings() throws {
        var encoder = KafkaEncoder(buffer: ByteBuffer())
        try encoder.writeString("héllo", compact: false)
        try encoder.writeString("héllo", compact: true)
        try encoder.writeNullableString(nil, compact: false)
        try encoder.writeNullableString(nil, compact: true)
        var buffer = encoder.buffer
        #expect(try buffer.readKafkaString(compact: false) == "héllo")
        #expect(try buffer.readKafkaString(compact: true) == "héllo")
        #expect(try buffer.readKafkaNullableString(compact: false) == nil)
        #expect(try buffer.readKafkaNullableString(compact: true) == nil)
        #expect(buffer.readableBytes == 0)

        var lying = ByteBuffer(bytes: [0x7F, 0xFF, 0x41])
        #expect { try lying.readKafkaString(compact: false) } throws: { ($0 as? KafkaProtocolError)?.kind == .invalidLength }
        var negative = ByteBuffer(bytes: [0xFF, 0xFE])
        #expect { try negative.readKafkaNullableString(compact: false) } throws: { ($0 as? KafkaProtocolError)?.kind == .invalidLength }
        var nullForRequired = ByteBuffer(bytes: [0xFF, 0xFF])
        #expect(throws: KafkaProtocolError.self) { try nullForRequired.readKafkaString(compact: false) }
        var badUTF8 = ByteBuffer(bytes: [0x00, 0x02, 0xC3, 0x28])
        #expect { try badUTF8.readKafkaString(compact: false) } throws: { ($0 as? KafkaProtocolError)?.kind == .invalidValue }
    }

    @Test("bytes are slices of the input, not copies")
    func bytesAreSlices() throws {
        var encoder = KafkaEncoder(buffer: ByteBuffer())
        encoder.writeBytes(ByteBuffer(bytes: [1, 2, 3]), compact: true)
        encoder.writeNullableBytes(nil, compact: false)
        var buffer = encoder.buffer
        #expect(try buffer.readKafkaBytes(compact: true) == ByteBuffer(bytes: [1, 2, 3]))
        #expect(try buffer.readKafkaNullableBytes(compact: false) == nil)
    }

    @Test("an array count larger than the bytes left is rejected before allocating")
    func hugeArrayCount() {
        var buffer = ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        #expect { try buffer.readKafkaArray(compact: false) { try $0.readKafkaInt8() } } throws: {
            ($0 as? KafkaProtocolError)?.kind == .invalidLength
        }
    }

    @Test("tagged fields: out-of-order tags are rejected, unknown ones skipped")
    func taggedFields() throws {
        var encoder = KafkaEncoder(buffer: ByteBuffer())
        try encoder.writeTaggedFields([(tag: 1, encode: { $0.writeInt32(7) }), (tag: 5, encode: { $0.writeInt8(1) })])
        var buffer = encoder.buffer
        var seen: [UInt32: Int32] = [:]
        try buffer.readKafkaTaggedFields { tag, data in
            if tag == 1 { seen[tag] = try data.readKafkaInt32() }
        }
        #expect(seen == [1: 7])
        #expect(buffer.readableBytes == 0)

        var disordered = ByteBuffer(bytes: [0x02, 0x05, 0x00, 0x01, 0x00])
        #expect(throws: KafkaProtocolError.self) { try disordered.readKafkaTaggedFields { _, _ in } }
    }

    @Test("UUIDs print in the 8-4-4-4-12 form")
    func uuid() throws {
        let id = KafkaUUID(high: 0x0123_4567_89AB_CDEF, low: 0x0011_2233_4455_6677)
        #expect(id.description == "01234567-89ab-cdef-0011-223344556677")
        var encoder = KafkaEncoder(buffer: ByteBuffer())
        encoder.writeUUID(id)
        var buffer = encoder.buffer
        #expect(try buffer.readKafkaUUID() == id)
    }
}
