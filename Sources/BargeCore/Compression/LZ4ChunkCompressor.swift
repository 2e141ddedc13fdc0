import CBargeCompression

/// The LZ4 frame format over liblz4's LZ4F API. Writes frames with 64 KiB
/// linked blocks and the content size; reads any valid frame (block sizes up
/// to 4 MiB, with or without checksums and content size).
package enum LZ4ChunkCompressor: ChunkCompressor {
    package static let codec = BargeCodec.lz4
    /// 1 and 2 are LZ4's fast mode; 3...12 its high-compression mode.
    package static let levels: ClosedRange<Int>? = 1...12

    package static func compress(_ bytes: [UInt8], level: Int?) throws(BargeCompressionError) -> [UInt8] {
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.contentSize = UInt64(bytes.count)  // 0 writes no content size
        preferences.compressionLevel = Int32(level ?? 0)  // 0: LZ4's default, fast
        let bound = LZ4F_compressFrameBound(bytes.count, &preferences)
        return try bytes.withUnsafeBufferPointer { input throws(BargeCompressionError) in
            try ChunkCodec.encodeBounded(codec, bound: bound) { buffer in
                let written = LZ4F_compressFrame(buffer.baseAddress, bound, input.baseAddress, input.count, &preferences)
                return LZ4F_isError(written) != 0
                    ? .failure(BargeCompressionError(codec, "LZ4F_compressFrame failed: \(errorName(written))")) : .success(written)
            }
        }
    }

    package static func decompress(_ bytes: [UInt8], expectedSize: Int) throws(BargeWireError) -> [UInt8] {
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw .corruptValue(codec, "could not be read: LZ4F_createDecompressionContext failed")
        }
        defer { LZ4F_freeDecompressionContext(context) }
        return try ChunkCodec.decodeBounded(codec, bytes, expectedSize: expectedSize) { input, output throws(BargeWireError) in
            try decompressFrame(input, into: output, with: context, expectedSize: expectedSize)
        }
    }

    /// Decodes one frame from `input` into `output`; returns the bytes written.
    private static func decompressFrame(
        _ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>,
        with context: OpaquePointer, expectedSize: Int
    ) throws(BargeWireError) -> Int {
        // The output is one buffer that only grows, so earlier output stays put
        // for LZ4's back references.
        var options = LZ4F_decompressOptions_t()
        options.stableDst = 1
        var consumed = 0
        var written = 0
        while true {
            var inputStep = input.count - consumed
            var outputStep = output.count - written
            let hint = LZ4F_decompress(
                context, output.baseAddress! + written, &outputStep, input.baseAddress.map { $0 + consumed }, &inputStep, &options)
            consumed += inputStep
            written += outputStep
            if LZ4F_isError(hint) != 0 { throw .corruptValue(codec, "is not an LZ4 frame: \(errorName(hint))") }
            if hint == 0 {
                // The frame is complete; a second frame (or anything else) after it is not the format.
                guard consumed == input.count else { throw .trailingBytes(codec, input.count - consumed) }
                return written
            }
            if inputStep == 0 && outputStep == 0 {
                if written == output.count { throw .valueTooLong(codec, expected: expectedSize) }
                throw .truncatedValue(codec)
            }
        }
    }

    private static func errorName(_ code: Int) -> String {
        String(cString: LZ4F_getErrorName(code))
    }
}
