#if canImport(Glibc)
import Glibc
#endif
import FileIO
@testable import KafkaLog
import KafkaCompression
import KafkaProtocol
import NIOCore
import Testing

@Suite("Records inside received batches, checked before they are appended")
struct RecordBatchValidatorTests {
    static let codecs: [(RecordCompression, Bool)] = [(.none, false), (.gzip, false), (.snappy, false), (.snappy, true), (.lz4, false), (.zstd, false)]
    let rules = RecordValidationRules(maximumUncompressedBytes: 64 << 20)

    /// The kind of the error validating `batch` in memory and from a spool file
    /// (both must agree), or nil if it passes.
    func kind(of batch: RecordBatch, rules: RecordValidationRules? = nil) throws -> LogError.Kind? {
        let rules = rules ?? self.rules
        var inMemory: LogError?
        do { try RecordBatchValidator.validate([batch], rules: rules) } catch { inMemory = error }
        let spooled = try spoolError(batch.bytes, rules: rules)
        #expect(inMemory?.kind == spooled?.kind, "in memory: \(String(describing: inMemory)); spooled: \(String(describing: spooled))")
        #expect(inMemory?.recordIndex == spooled?.recordIndex)
        return inMemory?.kind
    }

    /// The error of splitting `bytes` written to a spool-like file, or nil.
    func spoolError(_ bytes: ByteBuffer, rules: RecordValidationRules) throws -> LogError? {
        var template = Array("/tmp/barge-spool-test-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        #expect(descriptor >= 0)
        let name = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(name)
        let spool = PosixFileHandle(path: name, descriptor: descriptor)
        defer { spool.close() }
        // A few bytes before the batch, as in a spool holding several partitions.
        let written = ([UInt8](repeating: 9, count: 5) + Array(bytes.readableBytesView)).withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        #expect(written == bytes.readableBytes + 5)
        do {
            let batches = try SpooledRecordBatch.split(spool: spool, from: 5, to: 5 + bytes.readableBytes, rules: rules)
            #expect(batches.count == 1)
            return nil
        } catch {
            return error
        }
    }

    @Test("valid records pass with every codec (Snappy raw and xerial), in memory and spooled")
    func validRecordsPass() throws {
        // About 300 KiB of records: several decompressor output pieces and spool reads.
        let (records, count) = encodedRecords(count: 3_000, valueSize: 80)
        for (codec, xerial) in Self.codecs {
            #expect(try kind(of: try forgedBatch(records, count: count, codec: codec, xerial: xerial)) == nil, "\(codec) xerial=\(xerial)")
        }
    }

    @Test("garbage records with a valid CRC are INVALID_RECORD, compressed or not")
    func garbageRecords() throws {
        var generator = SystemRandomNumberGenerator()
        for (codec, xerial) in Self.codecs {
            for _ in 0..<20 {
                let junk = (0..<Int.random(in: 1...2_000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                #expect(try kind(of: try forgedBatch(junk, count: 3, codec: codec, xerial: xerial)) == .invalidRecord, "\(codec)")
            }
        }
    }

    @Test("a record count of 2^31-1 with one record is INVALID_RECORD")
    func countOfOneRecordTooLarge() throws {
        let (records, _) = encodedRecords(count: 1)
        for (codec, xerial) in Self.codecs {
            let batch = try forgedBatch(records, count: Int32.max, codec: codec, xerial: xerial)
            #expect(batch.header.lastOffsetDelta == Int32.max - 1)
            #expect(try kind(of: batch) == .invalidRecord)
        }
    }

    @Test("a compressed body that is not its codec's stream is CORRUPT_MESSAGE")
    func compressedGarbage() throws {
        var generator = SystemRandomNumberGenerator()
        for codec in [RecordCompression.gzip, .snappy, .lz4, .zstd] {
            for _ in 0..<20 {
                let junk = (0..<Int.random(in: 1...500, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let bytes = RecordBatchBuilder.assemble(records: ByteBuffer(bytes: junk), recordCount: 2, compression: codec)
                let batch = try #require(try RecordBatch.split(bytes).first)
                let found = try kind(of: batch)
                // Random bytes are now and then a valid raw Snappy stream (of garbage records).
                #expect(found == .corruptMessage || (codec == .snappy && found == .invalidRecord), "\(codec): \(String(describing: found))")
            }
        }
    }

    @Test("a truncated compressed stream, or bytes after it, are CORRUPT_MESSAGE")
    func truncatedAndTrailing() throws {
        let (records, count) = encodedRecords(count: 200)
        for (codec, xerial) in Self.codecs where codec != .none {
            let body = TestCompression.compress(records, codec, xerial: xerial)
            for cut in [body.count / 2, body.count - 1] {
                let bytes = RecordBatchBuilder.assemble(records: ByteBuffer(bytes: Array(body[..<cut])), recordCount: count, compression: codec)
                #expect(try kind(of: try #require(try RecordBatch.split(bytes).first)) != nil, "\(codec) cut at \(cut)")
            }
            if codec == .lz4 || codec == .zstd || codec == .gzip {
                let bytes = RecordBatchBuilder.assemble(records: ByteBuffer(bytes: body + [1, 2, 3, 4, 5, 6, 7, 8]), recordCount: count, compression: codec)
                #expect(try kind(of: try #require(try RecordBatch.split(bytes).first)) == .corruptMessage, "\(codec) with trailing bytes")
            }
        }
    }

    @Test("a decompression bomb stops at message.max.uncompressed.bytes with MESSAGE_TOO_LARGE")
    func decompressionBomb() throws {
        // One well-formed record whose value is 256 MiB of zeros compresses to
        // a few hundred KiB (at most 12 MiB with Snappy); the limit is 4 MiB.
        let valueSize = 256 << 20
        var record = ByteBuffer()
        record.writeKafkaVarint(Int64(1 + 1 + 1 + 1 + 5 + valueSize + 1))
        record.writeBytes([0, 0, 0])  // attributes, timestamp delta, offset delta
        record.writeKafkaVarint(-1)  // no key
        record.writeBytes([0x80, 0x80, 0x80, 0x80, 0x02])  // value length 2^28 = 256 MiB, zigzag, in 5 bytes
        let bomb = Array(record.readableBytesView) + [UInt8](repeating: 0, count: valueSize) + [0]  // no headers
        let small = RecordValidationRules(maximumUncompressedBytes: 4 << 20)
        for codec in [RecordCompression.gzip, .snappy, .lz4, .zstd] {
            let body = TestCompression.compress(bomb, codec)
            #expect(body.count < 16 << 20)
            let bytes = RecordBatchBuilder.assemble(records: ByteBuffer(bytes: body), recordCount: 1, compression: codec)
            let batch = try #require(try RecordBatch.split(bytes).first)
            let start = ContinuousClock.now
            #expect(try kind(of: batch, rules: small) == .messageTooLarge, "\(codec)")
            // It stopped at the limit instead of inflating all 256 MiB (twice).
            #expect(ContinuousClock.now - start < .seconds(5))
        }
    }

    @Test("a Zstandard window above 8 MiB is refused before it is allocated")
    func zstdWindow() throws {
        let (records, count) = encodedRecords(count: 20_000, valueSize: 600)
        #expect(records.count > 9 << 20)
        let body = TestCompression.zstd(records, windowLog: 25)
        let bytes = RecordBatchBuilder.assemble(records: ByteBuffer(bytes: body), recordCount: count, compression: .zstd)
        #expect(try kind(of: try #require(try RecordBatch.split(bytes).first)) == .messageTooLarge)
        #expect(try kind(of: try forgedBatch(records, count: count, codec: .zstd)) == nil)
    }

    @Test("Snappy is decoded exactly, across pieces of any size, with references back to 64 KiB")
    func snappyRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        // Repetitive and random stretches, 1 MiB in all.
        var data: [UInt8] = []
        while data.count < 1 << 20 {
            let stretch = Int.random(in: 1...70_000, using: &generator)
            if Bool.random(using: &generator) {
                data += (0..<stretch).map { _ in UInt8.random(in: 0...3, using: &generator) }
            } else {
                data += (0..<stretch).map { UInt8(truncatingIfNeeded: $0 % 251) }
            }
        }
        for xerial in [false, true] {
            let compressed = TestCompression.compress(data, .snappy, xerial: xerial)
            for pieceSize in [1 << 20, 4_096, 777] {
                let decompressor = try #require(try RecordsDecompression.decompressor(for: .snappy))
                var output: [UInt8] = []
                var start = 0
                while start < compressed.count {
                    let end = min(start + pieceSize, compressed.count)
                    try compressed[start..<end].withUnsafeBytes { piece in
                        try decompressor.feed(piece) { output += $0 }
                    }
                    start = end
                }
                try decompressor.finish { output += $0 }
                #expect(output == data, "xerial=\(xerial) pieces of \(pieceSize)")
            }
        }
    }

    @Test("a keyless record in a compacted topic is INVALID_RECORD naming it")
    func compactedNeedsKeys() throws {
        let (records, count) = encodedRecords(count: 10, nullKeyAt: 7)
        let compacted = RecordValidationRules(maximumUncompressedBytes: 1 << 20, requireKeys: true)
        for (codec, xerial) in Self.codecs {
            let batch = try forgedBatch(records, count: count, codec: codec, xerial: xerial)
            #expect(try kind(of: batch) == nil)
            #expect(try kind(of: batch, rules: compacted) == .invalidRecord)
            #expect(throws: LogError.self) { try RecordBatchValidator.validate([batch], rules: compacted) }
            do {
                try RecordBatchValidator.validate([batch], rules: compacted)
            } catch {
                #expect(error.recordIndex == 7)
                #expect(error.kafkaErrorCode == 87)
            }
        }
    }

    @Test("an idempotent producer's batch without a sequence number is INVALID_RECORD")
    func producerWithoutSequence() throws {
        let (records, count) = encodedRecords(count: 2)
        #expect(try kind(of: try forgedBatch(records, count: count, producerId: 5, baseSequence: -1)) == .invalidRecord)
        #expect(try kind(of: try forgedBatch(records, count: count, producerId: 5, baseSequence: 0)) == nil)
    }

    @Test("in a spool, a bad CRC is reported before the records' problems")
    func crcFirst() throws {
        var bytes = try forgedBatch([1, 2, 3, 4], count: 1).bytes
        bytes.setInteger(bytes.getInteger(at: bytes.readerIndex + 17, as: UInt32.self)! ^ 1, at: bytes.readerIndex + 17)
        let error = try spoolError(bytes, rules: rules)
        #expect(error?.kind == .corruptMessage)
        #expect(error?.message.contains("CRC") == true)
    }
}
