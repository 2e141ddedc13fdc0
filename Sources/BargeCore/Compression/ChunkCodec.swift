/// Compresses and decompresses one record value (an inline payload, or one
/// chunk) with a `barge.codec`, over Debian's C libraries (zlib, liblz4,
/// libzstd, libsnappy).
///
/// Decompression is bounded by what the headers say: the output is
/// `expectedSize + 1` bytes allocated up front, the extra byte telling
/// "exactly `expectedSize`" from "more", and a decoder stops when it is full.
/// Whatever a value claims (a declared content size, a window, a
/// decompression bomb), it cannot make the reader allocate more than that,
/// besides the libraries' own fixed-size state (zlib's 32 KiB window, an LZ4
/// frame's block buffers of at most 4 MiB each, a Zstandard block buffer of
/// 128 KiB). Values that are truncated, garbage, or followed by trailing
/// bytes fail with `.malformedValue`; values that decompress to a size other
/// than `expectedSize` fail with `.inconsistent`; both name `barge.codec`.
///
/// Both directions run on the calling thread: they are CPU work on one chunk.
package enum ChunkCodec {
    /// Bytes a decompressor allocates beyond `expectedSize`.
    package static let outputSlack = 1
    /// Unused capacity beyond which a compressed value is copied to a tight array.
    package static let compactionSlack = 64 * 1024

    /// `bytes` compressed with `codec` at `level` (nil: the codec's default);
    /// `.none` returns them as they are.
    package static func compress(_ bytes: [UInt8], with codec: BargeCodec, level: Int? = nil) throws(BargeCompressionError) -> [UInt8] {
        guard let compressor = compressor(of: codec) else {
            if let level { throw BargeCompressionError(codec, "has no level \(level)") }
            return bytes
        }
        if let level, !(compressor.levels?.contains(level) ?? false) {
            throw BargeCompressionError(codec, "has no level \(level)")
        }
        let compressed = try compressor.compress(bytes, level: level)
        // Compressors write into their worst-case bound; a value much smaller than that is
        // copied, so that it does not hold the bound's memory while it waits to be sent.
        return compressed.capacity - compressed.count > compactionSlack ? Array(compressed[...]) : compressed
    }

    /// `bytes` compressed as `compression` says.
    package static func compress(_ bytes: [UInt8], with compression: BargeCompression) throws(BargeCompressionError) -> [UInt8] {
        try compress(bytes, with: compression.codec, level: compression.level)
    }

    /// The value `bytes`, compressed with `codec`, decompressed to exactly
    /// `expectedSize` bytes (the size the headers give), or an error
    /// naming `barge.codec`. Never allocates more than `expectedSize + outputSlack`
    /// bytes of output. `expectedSize` must not be negative.
    package static func decompress(_ bytes: [UInt8], with codec: BargeCodec, expectedSize: Int) throws(BargeWireError) -> [UInt8] {
        precondition(expectedSize >= 0 && expectedSize < Int.max - outputSlack, "expected size \(expectedSize) out of range")
        guard let compressor = compressor(of: codec) else {
            guard bytes.count == expectedSize else { throw .sizeMismatch(codec, actual: bytes.count, expected: expectedSize) }
            return bytes
        }
        return try compressor.decompress(bytes, expectedSize: expectedSize)
    }

    /// The levels `codec` accepts; nil for a codec without levels.
    package static func levels(of codec: BargeCodec) -> ClosedRange<Int>? {
        compressor(of: codec)?.levels
    }

    /// The compressor of `codec`; nil for `none`.
    private static func compressor(of codec: BargeCodec) -> (any ChunkCompressor.Type)? {
        switch codec {
        case .gzip: GzipChunkCompressor.self
        case .lz4: LZ4ChunkCompressor.self
        case .zstd: ZstdChunkCompressor.self
        case .snappy: SnappyChunkCompressor.self
        default: nil
        }
    }
}

/// One codec's side of ``ChunkCodec``.
package protocol ChunkCompressor {
    /// The codec implemented.
    static var codec: BargeCodec { get }
    /// The levels accepted; nil when the codec has none.
    static var levels: ClosedRange<Int>? { get }
    /// `bytes` compressed at `level` (nil: the codec's default; otherwise in ``levels``).
    static func compress(_ bytes: [UInt8], level: Int?) throws(BargeCompressionError) -> [UInt8]
    /// `bytes` decompressed to exactly `expectedSize` bytes, with an output
    /// of at most `expectedSize + ChunkCodec.outputSlack` bytes.
    static func decompress(_ bytes: [UInt8], expectedSize: Int) throws(BargeWireError) -> [UInt8]
}
