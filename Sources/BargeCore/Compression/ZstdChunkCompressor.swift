import CBargeCompression

/// A Zstandard frame over libzstd. Decompression streams into the bounded
/// output with zstd's stable output buffer, so zstd keeps no window of its
/// own whatever window or content size the frame declares.
package enum ZstdChunkCompressor: ChunkCompressor {
    package static let codec = BargeCodec.zstd
    /// From zstd's fastest (negative) level to its strongest (22).
    package static let levels: ClosedRange<Int>? = Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())
    /// zstd's default level.
    package static let defaultLevel: Int32 = 3

    /// `ZSTD_d_stableOutBuffer`: the output buffer stays the same between
    /// calls and holds the whole frame, so zstd decodes straight into it.
    /// An experimental parameter in zstd.h (since 1.4.4), hence its reserved name.
    private static let stableOutputBuffer = ZSTD_d_experimentalParam2

    package static func compress(_ bytes: [UInt8], level: Int?) throws(BargeCompressionError) -> [UInt8] {
        let bound = ZSTD_compressBound(bytes.count)
        return try bytes.withUnsafeBufferPointer { input throws(BargeCompressionError) in
            try ChunkCodec.encodeBounded(codec, bound: bound) { buffer in
                let written = ZSTD_compress(buffer.baseAddress, bound, input.baseAddress, input.count, level.map(Int32.init) ?? defaultLevel)
                return ZSTD_isError(written) != 0
                    ? .failure(BargeCompressionError(codec, "ZSTD_compress failed: \(errorName(written))")) : .success(written)
            }
        }
    }

    package static func decompress(_ bytes: [UInt8], expectedSize: Int) throws(BargeWireError) -> [UInt8] {
        guard let context = ZSTD_createDCtx() else { throw .corruptValue(codec, "could not be read: ZSTD_createDCtx failed") }
        defer { ZSTD_freeDCtx(context) }
        let status = ZSTD_DCtx_setParameter(context, stableOutputBuffer, 1)
        guard ZSTD_isError(status) == 0 else {
            throw .corruptValue(codec, "could not be read: this libzstd has no stable output buffer (\(errorName(status)))")
        }
        return try ChunkCodec.decodeBounded(codec, bytes, expectedSize: expectedSize) { input, output throws(BargeWireError) in
            try decompressFrame(input, into: output, with: context, expectedSize: expectedSize)
        }
    }

    /// Decodes one frame from `input` into `output`; returns the bytes written.
    private static func decompressFrame(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
        with context: OpaquePointer, expectedSize: Int
    ) throws(BargeWireError) -> Int {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        // One ZSTD_outBuffer for every call, as the stable output buffer requires.
        var destination = ZSTD_outBuffer(dst: output.baseAddress, size: output.count, pos: 0)
        while true {
            let before = (source.pos, destination.pos)
            let hint = ZSTD_decompressStream(context, &destination, &source)
            if ZSTD_isError(hint) != 0 {
                // A frame larger than the output (by its declared content size, or as it decodes).
                if ZSTD_getErrorCode(hint) == ZSTD_error_dstSize_tooSmall || destination.pos == destination.size {
                    throw .valueTooLong(codec, expected: expectedSize)
                }
                throw .corruptValue(codec, "is not a Zstandard frame: \(errorName(hint))")
            }
            if hint == 0 {
                // The frame is complete and flushed; another frame after it is not the format.
                guard source.pos == source.size else { throw .trailingBytes(codec, source.size - source.pos) }
                return destination.pos
            }
            if destination.pos == destination.size { throw .valueTooLong(codec, expected: expectedSize) }
            if (source.pos, destination.pos) == before { throw .truncatedValue(codec) }
        }
    }

    private static func errorName(_ code: Int) -> String {
        String(cString: ZSTD_getErrorName(code))
    }
}
