import KafkaCompression
import KafkaProtocol
import Testing

/// `RecordsDecompression.decompressor(for:allowingTrailingZeros:)`: bakdata's
/// padded blobs read with the option; the broker's decompression (without it)
/// still refuses anything after the stream.
@Suite("Decompressors: zero padding after the stream")
struct TrailingZerosTests {
    static let codecs: [RecordCompression] = [.gzip, .snappy, .lz4, .zstd]

    /// Feeds `bytes` in pieces of `pieceSize` and returns the output.
    func decompress(_ bytes: [UInt8], _ codec: RecordCompression, allowingTrailingZeros: Bool, pieceSize: Int) throws -> [UInt8] {
        let decompressor = try #require(try RecordsDecompression.decompressor(for: codec, allowingTrailingZeros: allowingTrailingZeros))
        var output: [UInt8] = []
        for start in stride(from: 0, to: bytes.count, by: pieceSize) {
            try bytes[start..<min(bytes.count, start + pieceSize)].withUnsafeBytes { piece in
                try decompressor.feed(piece) { output += $0 }
            }
        }
        try decompressor.finish { output += $0 }
        return output
    }

    func stream(_ codec: RecordCompression) -> (payload: [UInt8], compressed: [UInt8]) {
        let payload = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 % 97) }
        return (payload, TestCompression.compress(payload, codec, xerial: true))
    }

    @Test("with the option, 1 to 40,000 zeros after the stream are padding, fed whole or a byte at a time", arguments: codecs)
    func padding(codec: RecordCompression) throws {
        let (payload, compressed) = stream(codec)
        for zeros in [1, 3, 4, 5, 40_000] {
            for pieceSize in [1, 1024, 1 << 20] {
                let output = try decompress(compressed + Array(repeating: 0, count: zeros), codec, allowingTrailingZeros: true, pieceSize: pieceSize)
                #expect(output == payload, "\(codec): \(zeros) zeros, pieces of \(pieceSize)")
            }
        }
        #expect(try decompress(compressed, codec, allowingTrailingZeros: true, pieceSize: 4096) == payload)
    }

    @Test("a byte other than zero after the padding is an error, with the option too; without it, the padding itself is", arguments: codecs)
    func notPadding(codec: RecordCompression) throws {
        let (_, compressed) = stream(codec)
        #expect(throws: RecordValidationError.self, "\(codec)") {
            try decompress(compressed + [0, 0, 0, 0, 0, 0, 7], codec, allowingTrailingZeros: true, pieceSize: 3)
        }
        #expect(throws: RecordValidationError.self, "\(codec)") {
            try decompress(compressed + [0, 0, 0, 0, 0, 0, 0, 0], codec, allowingTrailingZeros: false, pieceSize: 4096)
        }
    }
}
