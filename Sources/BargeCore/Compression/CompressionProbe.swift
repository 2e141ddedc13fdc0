/// Decides whether a payload is worth compressing, from a sample of its
/// start: payloads that are already compressed (JPEG, video, archives) or
/// random would only cost CPU on both sides.
package enum CompressionProbe {
    /// How much of the payload's start is compressed to decide: 64 KiB.
    package static let sampleSize = 64 * 1024
    /// Compress only when the sample shrinks to at most this fraction of its size.
    package static let worthwhileRatio = 0.9

    /// The codec to send a payload that starts with `sample` with:
    /// `compression`'s codec when the first ``sampleSize`` bytes of `sample`
    /// shrink to at most ``worthwhileRatio`` of their size, `.none` otherwise
    /// (and for an empty sample).
    package static func codec(for sample: some Collection<UInt8>, compression: BargeCompression) throws(BargeCompressionError) -> BargeCodec {
        guard compression.codec != .none else { return .none }
        let bytes = Array(sample.prefix(sampleSize))
        guard !bytes.isEmpty else { return .none }
        let compressed = try ChunkCodec.compress(bytes, with: compression)
        return Double(compressed.count) <= Double(bytes.count) * worthwhileRatio ? compression.codec : .none
    }
}
