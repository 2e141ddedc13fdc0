import CBargeCompression

/// The raw Snappy block format (no framing) over libsnappy's C binding. A
/// raw block starts with its uncompressed length, which is checked against
/// the expected size before anything is allocated.
package enum SnappyChunkCompressor: ChunkCompressor {
    package static let codec = BargeCodec.snappy
    package static let levels: ClosedRange<Int>? = nil

    package static func compress(_ bytes: [UInt8], level: Int?) throws(BargeCompressionError) -> [UInt8] {
        let bound = snappy_max_compressed_length(bytes.count)
        return try bytes.withUnsafeBufferPointer { input throws(BargeCompressionError) in
            try ChunkCodec.encodeBounded(codec, bound: bound) { buffer in
                var written = bound
                let status = snappy_compress(
                    input.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, input.count,
                    UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), &written)
                return status == SNAPPY_OK ? .success(written) : .failure(BargeCompressionError(codec, "snappy_compress failed: \(status.rawValue)"))
            }
        }
    }

    package static func decompress(_ bytes: [UInt8], expectedSize: Int) throws(BargeWireError) -> [UInt8] {
        try bytes.withUnsafeBufferPointer { input throws(BargeWireError) in
            let compressed = UnsafeRawPointer(input.baseAddress)?.assumingMemoryBound(to: CChar.self)
            var declared = 0
            guard snappy_uncompressed_length(compressed, input.count, &declared) == SNAPPY_OK else {
                throw .corruptValue(codec, "is not raw Snappy: it does not start with a length")
            }
            guard declared == expectedSize else { throw .sizeMismatch(codec, actual: declared, expected: expectedSize) }
            return try ChunkCodec.decodeBounded(codec, expectedSize: expectedSize) { output throws(BargeWireError) in
                // Snappy decodes exactly the declared length or fails (garbage, truncation or trailing bytes).
                var written = output.count
                let status = snappy_uncompress(
                    compressed, input.count, UnsafeMutableRawPointer(output.baseAddress!).assumingMemoryBound(to: CChar.self), &written)
                guard status == SNAPPY_OK else { throw .corruptValue(codec, "is not raw Snappy (\(status.rawValue))") }
                return written
            }
        }
    }
}
