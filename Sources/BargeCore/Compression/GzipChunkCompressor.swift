import CBargeCompression

/// gzip (RFC 1952, one member) over zlib: deflate and inflate with
/// `windowBits` 31, which selects the gzip wrapper.
package enum GzipChunkCompressor: ChunkCompressor {
    package static let codec = BargeCodec.gzip
    package static let levels: ClosedRange<Int>? = 1...9

    /// zlib's window bits for a gzip wrapper around a 32 KiB window.
    private static let gzipWindowBits: Int32 = 15 + 16
    /// zlib's default memory level.
    private static let memoryLevel: Int32 = 8
    /// The most zlib takes or gives in one call (its counters are 32-bit).
    private static let maximumStep = Int(UInt32.max)

    package static func compress(_ bytes: [UInt8], level: Int?) throws(BargeCompressionError) -> [UInt8] {
        // zlib keeps a pointer to its z_stream in its state and checks it, so the
        // stream lives at one address: on the heap, not in a Swift variable.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let status = deflateInit2_(
            stream, level.map(Int32.init) ?? Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzipWindowBits, memoryLevel,
            Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw BargeCompressionError(codec, "deflateInit2 failed: \(status)") }
        defer { deflateEnd(stream) }

        let bound = Int(deflateBound(stream, UInt(bytes.count)))
        return try bytes.withUnsafeBufferPointer { input throws(BargeCompressionError) in
            try ChunkCodec.encodeBounded(codec, bound: bound) { buffer in
                var consumed = 0
                var count = 0
                while true {
                    let inputStep = min(input.count - consumed, maximumStep)
                    let outputStep = min(bound - count, maximumStep)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                    stream.pointee.avail_in = UInt32(inputStep)
                    stream.pointee.next_out = buffer.baseAddress! + count
                    stream.pointee.avail_out = UInt32(outputStep)
                    let flush = consumed + inputStep == input.count ? Z_FINISH : Z_NO_FLUSH
                    let status = deflate(stream, flush)
                    consumed += inputStep - Int(stream.pointee.avail_in)
                    count += outputStep - Int(stream.pointee.avail_out)
                    if status == Z_STREAM_END { return .success(count) }
                    // With deflateBound's room, deflate only stops early for a step's limits.
                    guard status == Z_OK || (status == Z_BUF_ERROR && count < bound) else {
                        return .failure(BargeCompressionError(codec, "deflate failed: \(message(stream) ?? "\(status)")"))
                    }
                }
            }
        }
    }

    package static func decompress(_ bytes: [UInt8], expectedSize: Int) throws(BargeWireError) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        guard inflateInit2_(stream, gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptValue(codec, "could not be read: zlib's inflateInit2 failed")
        }
        defer { inflateEnd(stream) }
        return try ChunkCodec.decodeBounded(codec, bytes, expectedSize: expectedSize) { input, output throws(BargeWireError) in
            try inflate(input, into: output, with: stream, expectedSize: expectedSize)
        }
    }

    /// Inflates one gzip member from `input` into `output`; returns the bytes written.
    private static func inflate(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
        with stream: UnsafeMutablePointer<z_stream>, expectedSize: Int
    ) throws(BargeWireError) -> Int {
        var consumed = 0
        var written = 0
        while true {
            let inputStep = min(input.count - consumed, maximumStep)
            let outputStep = min(output.count - written, maximumStep)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
            stream.pointee.avail_in = UInt32(inputStep)
            stream.pointee.next_out = output.baseAddress! + written
            stream.pointee.avail_out = UInt32(outputStep)
            let status = CBargeCompression.inflate(stream, Z_NO_FLUSH)
            consumed += inputStep - Int(stream.pointee.avail_in)
            written += outputStep - Int(stream.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                // zlib stops after one member; anything after it (a second member too) is not the format.
                guard consumed == input.count else { throw .trailingBytes(codec, input.count - consumed) }
                return written
            case Z_OK:
                // Progress was made; a full output with the member unfinished means more bytes are coming.
                if written == output.count { throw .valueTooLong(codec, expected: expectedSize) }
            case Z_BUF_ERROR:
                // No progress possible: out of input (truncated) or out of room (too long).
                if written == output.count { throw .valueTooLong(codec, expected: expectedSize) }
                throw .truncatedValue(codec)
            case Z_NEED_DICT:
                throw .corruptValue(codec, "asks for a preset dictionary")
            case Z_MEM_ERROR:
                throw .corruptValue(codec, "could not be inflated: zlib ran out of memory")
            default:
                throw .corruptValue(codec, "is not gzip: \(message(stream) ?? "zlib error \(status)")")
            }
        }
    }

    /// zlib's message for the last error, if it set one.
    private static func message(_ stream: UnsafeMutablePointer<z_stream>) -> String? {
        stream.pointee.msg.map { String(cString: $0) }
    }
}
