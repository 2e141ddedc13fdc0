import KafkaProtocol
import NIOCore
import Testing

/// One record encoded field by field, so that tests can break any field.
struct RawRecord {
    var attributes: UInt8 = 0
    var timestampDelta: Int64 = 0
    var offsetDelta: Int64 = 0
    var key: [UInt8]? = Array("key".utf8)
    var value: [UInt8]? = Array("value".utf8)
    var headers: [(key: [UInt8]?, value: [UInt8]?)] = [(Array("h".utf8), Array("v".utf8))]
    /// Added to the record's true length in its length prefix.
    var lengthError = 0
    /// Overrides the header count.
    var headerCount: Int64?

    var encoded: [UInt8] {
        var body = ByteBuffer()
        body.writeInteger(attributes)
        body.writeKafkaVarint(timestampDelta)
        body.writeKafkaVarint(offsetDelta)
        Self.write(key, to: &body)
        Self.write(value, to: &body)
        body.writeKafkaVarint(headerCount ?? Int64(headers.count))
        for header in headers {
            Self.write(header.key, to: &body)
            Self.write(header.value, to: &body)
        }
        var record = ByteBuffer()
        record.writeKafkaVarint(Int64(body.readableBytes + lengthError))
        record.writeBuffer(&body)
        return Array(record.readableBytesView)
    }

    private static func write(_ bytes: [UInt8]?, to buffer: inout ByteBuffer) {
        guard let bytes else { return buffer.writeKafkaVarint(-1) }
        buffer.writeKafkaVarint(Int64(bytes.count))
        buffer.writeBytes(bytes)
    }

    /// Records with offset deltas 0, 1, ... in order.
    static func sequence(_ count: Int) -> [RawRecord] {
        (0..<count).map { RawRecord(offsetDelta: Int64($0)) }
    }
}

@Suite("Records inside a batch, checked as they stream in")
struct RecordsScannerTests {
    /// Scans `bytes` whole and byte by byte; both must agree. Returns the error, if any.
    func scan(_ bytes: [UInt8], declared: Int32, requireKeys: Bool = false) -> RecordValidationError? {
        func run(pieceSize: Int) -> RecordValidationError? {
            var scanner = RecordsScanner(declaredCount: declared, requireKeys: requireKeys)
            do {
                var start = 0
                while start < bytes.count {
                    let end = min(start + pieceSize, bytes.count)
                    try bytes[start..<end].withUnsafeBytes { try scanner.feed($0) }
                    start = end
                }
                try scanner.finish()
                return nil
            } catch let error as RecordValidationError {
                return error
            } catch {
                Issue.record("unexpected \(error)")
                return nil
            }
        }
        let whole = run(pieceSize: max(bytes.count, 1))
        let byteByByte = run(pieceSize: 1)
        #expect(whole == byteByByte, "the result must not depend on how the bytes arrive")
        return whole
    }

    func records(_ records: [RawRecord]) -> [UInt8] { records.flatMap(\.encoded) }

    @Test("records a builder writes pass, whole or a byte at a time")
    func builtRecordsPass() throws {
        var builder = RecordBatchBuilder()
        for index in 0..<5 {
            builder.append(key: index == 2 ? nil : ByteBuffer(string: "k\(index)"), value: index == 3 ? nil : ByteBuffer(repeating: 7, count: 300 * index),
                           headers: [Record.Header(key: "a", value: nil), Record.Header(key: "", value: ByteBuffer(string: "x"))], timestamp: 1_000 + Int64(index))
        }
        let batch = builder.build()
        let body = Array(batch.readableBytesView.dropFirst(RecordBatchHeader.size))
        #expect(scan(body, declared: 5) == nil)
        #expect(scan([], declared: 0) == nil)
    }

    @Test("garbage in place of records is INVALID_RECORD")
    func garbage() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let junk = (0..<Int.random(in: 1...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let error = scan(junk, declared: Int32.random(in: 1...5, using: &generator))
            #expect(error?.kind == .invalidRecord)
            #expect(error?.errorCode == .invalidRecord)
        }
    }

    @Test("a count of 2^31-1 with one record present is refused, naming both")
    func countTooLarge() {
        let error = scan(records(RawRecord.sequence(1)), declared: Int32.max)
        #expect(error?.kind == .invalidRecord)
        #expect(error?.message.contains("declares 2147483647 records but the batch holds 1") == true)
        #expect(error?.recordIndex == nil)
    }

    @Test("more records than declared, and bytes after the last record, are refused")
    func extraRecords() {
        #expect(scan(records(RawRecord.sequence(3)), declared: 2)?.message.contains("after the last of the 2 records") == true)
        #expect(scan(records(RawRecord.sequence(1)) + [0], declared: 1)?.kind == .invalidRecord)
    }

    @Test("negative and oversized lengths are refused with the record's index")
    func lengths() {
        var negativeLength = RawRecord.sequence(2)
        negativeLength[1].lengthError = -1000
        #expect(scan(records(negativeLength), declared: 2)?.recordIndex == 1)

        var badKey = RawRecord.sequence(1)
        badKey[0].key = nil
        var bytes = records(badKey)
        // The key length -1 is the varint 0x01; -2 is 0x03.
        let keyLengthAt = 1 + 1 + 1 + 1
        #expect(bytes[keyLengthAt] == 0x01)
        bytes[keyLengthAt] = 0x03
        #expect(scan(bytes, declared: 1)?.message.contains("key length -2") == true)

        var longValue = RawRecord.sequence(1)
        longValue[0].value = Array(repeating: 1, count: 10)
        longValue[0].lengthError = -8  // the record ends inside its value
        #expect(scan(records(longValue), declared: 1)?.message.contains("value length 10") == true)

        var longRecord = RawRecord.sequence(1)
        longRecord[0].lengthError = 3  // three bytes more than the fields
        #expect(scan(records(longRecord) + [0, 0, 0], declared: 1)?.message.contains("3 bytes after its last header") == true)
    }

    @Test("a varint longer than 5 bytes, or beyond 32 bits, is refused")
    func varintOverflow() {
        #expect(scan([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], declared: 1)?.message.contains("longer than 5 bytes") == true)
        #expect(scan([0xFF, 0xFF, 0xFF, 0xFF, 0x7F], declared: 1)?.message.contains("does not fit 32 bits") == true)
        // A timestamp delta may take 10 bytes, not 11.
        var body: [UInt8] = [0] + Array(repeating: 0xFF, count: 10) + [0x01]
        body.insert(UInt8(body.count * 2), at: 0)
        #expect(scan(body, declared: 1)?.message.contains("timestamp delta varint longer than 10 bytes") == true)
    }

    @Test("headers that do not fit, and null header keys, are refused")
    func headers() {
        var missing = RawRecord.sequence(1)
        missing[0].headers = []
        missing[0].headerCount = 1
        #expect(scan(records(missing), declared: 1)?.message.contains("declares 1 headers") == true)

        var truncated = RawRecord.sequence(1)
        truncated[0].headers = [(Array("key".utf8), Array("value".utf8))]
        truncated[0].lengthError = -3  // ends inside the header value
        #expect(scan(records(truncated), declared: 1)?.kind == .invalidRecord)

        var nullKey = RawRecord.sequence(2)
        nullKey[1].headers = [(nil, Array("v".utf8))]
        let error = scan(records(nullKey), declared: 2)
        #expect(error?.message.contains("header key length -1") == true)
        #expect(error?.recordIndex == 1)
    }

    @Test("offset deltas must be 0, 1, 2, ... in order")
    func offsetDeltas() {
        var swapped = RawRecord.sequence(3)
        swapped[1].offsetDelta = 2
        swapped[2].offsetDelta = 1
        let error = scan(records(swapped), declared: 3)
        #expect(error?.recordIndex == 1)
        #expect(error?.message.contains("offset delta 2") == true)
        var negative = RawRecord.sequence(1)
        negative[0].offsetDelta = -1
        #expect(scan(records(negative), declared: 1)?.recordIndex == 0)
    }

    @Test("records that end inside the batch are refused")
    func truncated() {
        let whole = records(RawRecord.sequence(2))
        for cut in 1..<whole.count {
            #expect(scan(Array(whole[..<cut]), declared: 2)?.kind == .invalidRecord, "cut at \(cut)")
        }
    }

    @Test("a compacted topic needs keys: the keyless record is named")
    func requireKeys() {
        var keyless = RawRecord.sequence(3)
        keyless[2].key = nil
        #expect(scan(records(keyless), declared: 3) == nil)
        let error = scan(records(keyless), declared: 3, requireKeys: true)
        #expect(error?.recordIndex == 2)
        #expect(error?.message.contains("compacted") == true)
    }
}
