import KafkaProtocol
import NIOCore
import Testing

@Suite("Record batch v2")
struct RecordBatchTests {
    func sampleBatch(records: Int = 3) -> ByteBuffer {
        var builder = RecordBatchBuilder()
        builder.producerId = 42
        builder.producerEpoch = 1
        builder.baseSequence = 10
        for index in 0..<records {
            builder.append(
                key: index == 1 ? nil : ByteBuffer(string: "key-\(index)"),
                value: ByteBuffer(string: String(repeating: "v", count: index * 10)),
                headers: [Record.Header(key: "h\(index)", value: ByteBuffer(string: "x")), Record.Header(key: "null", value: nil)],
                timestamp: 1_700_000_000_000 + Int64(index))
        }
        return builder.build()
    }

    @Test("a built batch splits, passes its CRC and reads back its records")
    func roundTrip() throws {
        let bytes = sampleBatch()
        let batches = try RecordBatch.split(bytes)
        #expect(batches.count == 1)
        let header = batches[0].header
        #expect(header.magic == 2)
        #expect(header.recordCount == 3)
        #expect(header.lastOffsetDelta == 2)
        #expect(header.producerId == 42)
        #expect(header.baseSequence == 10)
        #expect(header.lastSequence == 12)
        #expect(header.maxTimestamp == 1_700_000_000_002)
        #expect(header.totalSize == bytes.readableBytes)
        let records = try batches[0].records()
        #expect(records.map(\.offset) == [0, 1, 2])
        #expect(records[0].key == ByteBuffer(string: "key-0"))
        #expect(records[1].key == nil)
        #expect(records[2].value == ByteBuffer(string: String(repeating: "v", count: 20)))
        #expect(records[2].timestamp == 1_700_000_000_002)
        #expect(records[0].headers == [Record.Header(key: "h0", value: ByteBuffer(string: "x")), Record.Header(key: "null", value: nil)])
    }

    @Test("rewriting the base offset keeps the CRC valid and moves every record's offset")
    func baseOffsetRewrite() throws {
        var batch = try RecordBatch.split(sampleBatch())[0]
        batch.setBaseOffset(1_000)
        #expect(batch.computedCRC() == batch.header.crc)
        #expect(try batch.records().map(\.offset) == [1_000, 1_001, 1_002])
        let again = try RecordBatch.split(batch.bytes)
        #expect(again[0].header.baseOffset == 1_000)
    }

    @Test("several batches in one records field are split in order")
    func severalBatches() throws {
        var joined = sampleBatch(records: 1)
        var second = sampleBatch(records: 4)
        joined.writeBuffer(&second)
        let batches = try RecordBatch.split(joined)
        #expect(batches.map(\.header.recordCount) == [1, 4])
    }

    @Test("a flipped byte anywhere in the CRC-covered part is caught")
    func corruptCRC() throws {
        let bytes = sampleBatch()
        for position in stride(from: RecordBatchHeader.crcCoverageStart, to: bytes.readableBytes, by: 7) {
            var corrupt = bytes
            corrupt.setInteger(corrupt.getInteger(at: position, as: UInt8.self)! ^ 0x40, at: position)
            #expect { try RecordBatch.split(corrupt) } throws: { ($0 as? KafkaProtocolError)?.kind == .corruptRecordBatch }
        }
    }

    @Test("truncation at every byte is reported, never a crash")
    func truncation() {
        let bytes = sampleBatch()
        for length in 1..<bytes.readableBytes {
            let truncated = bytes.getSlice(at: 0, length: length)!
            #expect(throws: KafkaProtocolError.self) { try RecordBatch.split(truncated) }
        }
    }

    @Test("wrong magic, negative length and unknown codec are rejected")
    func hostileHeaders() {
        var magic = sampleBatch()
        magic.setInteger(Int8(1), at: 16)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.split(magic) }
        var length = sampleBatch()
        length.setInteger(Int32(-5), at: 8)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.split(length) }
        var codec = sampleBatch()
        codec.setInteger(Int16(7), at: 21)
        #expect(throws: KafkaProtocolError.self) { try RecordBatch.split(codec, verifyCRC: false) }
    }

    @Test("a last offset delta that does not match the record count is refused, compressed or not")
    func lastOffsetDelta() {
        for codec in [RecordCompression.none, .gzip] {
            var batch = sampleBatch()
            batch.setInteger(Int16(codec.rawValue), at: 21)
            batch.setInteger(Int32(0), at: 23)
            #expect(throws: KafkaProtocolError.self, "\(codec)") { try RecordBatch.split(batch, verifyCRC: false) }
        }
    }

    @Test("attributes decode codec and flags")
    func attributes() {
        var attributes = RecordBatchAttributes(rawValue: 0)
        attributes.compression = .zstd
        attributes.isTransactional = true
        attributes.isLogAppendTime = true
        #expect(attributes.rawValue == 0b0001_1100)
        #expect(attributes.compression == .zstd)
        #expect(!attributes.isControl)
        #expect(RecordCompression.snappy.description == "snappy")
    }
}
