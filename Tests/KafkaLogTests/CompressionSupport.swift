import CBargeCompression
import KafkaProtocol
import NIOCore
import Testing

/// Compresses record bodies as Kafka clients do, over the C libraries, so
/// that tests can forge compressed batches of any content.
enum TestCompression {
    /// `bytes` compressed with `codec`; snappy is raw (as librdkafka writes it) unless `xerial`.
    static func compress(_ bytes: [UInt8], _ codec: RecordCompression, xerial: Bool = false) -> [UInt8] {
        switch codec {
        case .gzip: gzip(bytes)
        case .snappy: xerial ? xerialSnappy(bytes) : rawSnappy(bytes)
        case .lz4: lz4(bytes)
        case .zstd: zstd(bytes)
        default: bytes
        }
    }

    static func gzip(_ bytes: [UInt8]) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deallocate() }
        precondition(deflateInit2_(stream, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(bytes.count))) + 64)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = UInt32(out.count)
                precondition(deflate(stream, Z_FINISH) == Z_STREAM_END)
                return out.count - Int(stream.pointee.avail_out)
            }
        }
        return Array(output[..<written])
    }

    static func rawSnappy(_ bytes: [UInt8]) -> [UInt8] {
        var length = snappy_max_compressed_length(bytes.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                snappy_compress(UnsafeRawPointer(input.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) }, input.count,
                                UnsafeMutableRawPointer(out.baseAddress!).assumingMemoryBound(to: CChar.self), &length)
            }
        }
        precondition(status == SNAPPY_OK)
        return Array(output[..<length])
    }

    /// The xerial framing of Kafka's Java client: a header, then 32 KiB blocks.
    static func xerialSnappy(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1]
        var start = 0
        while start < bytes.count {
            let block = rawSnappy(Array(bytes[start..<min(start + 32 * 1024, bytes.count)]))
            output += withUnsafeBytes(of: UInt32(block.count).bigEndian, Array.init) + block
            start += 32 * 1024
        }
        return output
    }

    static func lz4(_ bytes: [UInt8]) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        let bound = LZ4F_compressFrameBound(bytes.count, &preferences)
        var output = [UInt8](repeating: 0, count: bound)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { LZ4F_compressFrame($0.baseAddress, bound, input.baseAddress, input.count, &preferences) }
        }
        precondition(LZ4F_isError(written) == 0)
        return Array(output[..<written])
    }

    /// Zstandard at level 3, or with a window of 2^`windowLog` bytes.
    static func zstd(_ bytes: [UInt8], windowLog: Int32? = nil) -> [UInt8] {
        let context = ZSTD_createCCtx()
        defer { ZSTD_freeCCtx(context) }
        if let windowLog { _ = ZSTD_CCtx_setParameter(context, ZSTD_c_windowLog, windowLog) }
        let bound = ZSTD_compressBound(bytes.count)
        var output = [UInt8](repeating: 0, count: bound)
        let written = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { ZSTD_compress2(context, $0.baseAddress, bound, input.baseAddress, input.count) }
        }
        precondition(ZSTD_isError(written) == 0)
        return Array(output[..<written])
    }
}

/// The records (the bytes after the header) of a batch built from `count`
/// records with `valueSize`-byte values.
func encodedRecords(count: Int, valueSize: Int = 20, nullKeyAt: Int? = nil) -> (bytes: [UInt8], count: Int32) {
    var builder = RecordBatchBuilder()
    for index in 0..<count {
        let value = ByteBuffer(bytes: (0..<valueSize).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) })
        builder.append(key: index == nullKeyAt ? nil : ByteBuffer(string: "key-\(index)"), value: value,
                       headers: [Record.Header(key: "h", value: ByteBuffer(string: "\(index)"))], timestamp: 1_000 + Int64(index))
    }
    return (Array(builder.build().readableBytesView.dropFirst(RecordBatchHeader.size)), Int32(count))
}

/// A batch around `records`, compressed with `codec` (if not none), with a correct CRC.
func forgedBatch(_ records: [UInt8], count: Int32, codec: RecordCompression = .none, xerial: Bool = false,
                 producerId: Int64 = -1, baseSequence: Int32 = -1) throws -> RecordBatch {
    let body = TestCompression.compress(records, codec, xerial: xerial)
    let bytes = RecordBatchBuilder.assemble(records: ByteBuffer(bytes: body), recordCount: count, compression: codec,
                                            producerId: producerId, producerEpoch: producerId >= 0 ? 0 : -1, baseSequence: baseSequence)
    return try #require(try RecordBatch.split(bytes).first)
}
