/// How a producer compresses what it sends: a codec of the wire format and,
/// for codecs that have them, a level.
///
/// The level only changes how hard the producer works; readers decompress
/// every level the same way.
public struct BargeCompression: Hashable, Sendable, CustomStringConvertible {
    /// The codec named in `barge.codec`.
    public let codec: BargeCodec
    /// The codec's compression level; `nil` for the codec's default.
    public let level: Int?

    /// No compression.
    public static let none = BargeCompression(codec: .none)
    /// gzip at zlib's default level (6).
    public static let gzip = BargeCompression(codec: .gzip)
    /// The LZ4 frame format at LZ4's default (fast) level.
    public static let lz4 = BargeCompression(codec: .lz4)
    /// Zstandard at its default level (3).
    public static let zstd = BargeCompression(codec: .zstd)
    /// Raw Snappy (has no levels).
    public static let snappy = BargeCompression(codec: .snappy)

    private init(codec: BargeCodec) {
        self.codec = codec
        self.level = nil
    }

    /// `codec` at `level`; nil when `level` is outside ``levels(of:)``
    /// (always, for a codec without levels).
    public init?(codec: BargeCodec, level: Int?) {
        if let level {
            guard let levels = Self.levels(of: codec), levels.contains(level) else { return nil }
        }
        self.codec = codec
        self.level = level
    }

    /// Parses a command-line value: a codec name as in `barge.codec`
    /// (`none`, `gzip`, `lz4`, `zstd`, `snappy`), optionally followed by
    /// `:LEVEL`, such as `zstd:19`. Nil for anything else.
    public init?(named text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let codec = BargeCodec(named: String(parts[0])) else { return nil }
        guard parts.count == 2 else {
            self.init(codec: codec)
            return
        }
        guard let level = Int(parts[1]) else { return nil }
        self.init(codec: codec, level: level)
    }

    /// The levels `codec` accepts, or nil when it has none (`none`, `snappy`):
    /// gzip 1...9, lz4 1...12, zstd from its fastest negative level to 22.
    public static func levels(of codec: BargeCodec) -> ClosedRange<Int>? {
        ChunkCodec.levels(of: codec)
    }

    public var description: String {
        level.map { "\(codec.name):\($0)" } ?? codec.name
    }
}
