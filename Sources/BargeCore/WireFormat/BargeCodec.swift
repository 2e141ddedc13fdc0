/// How a record's value is compressed (`barge.codec`).
public struct BargeCodec: Hashable, Sendable, CustomStringConvertible {
    /// The name on the wire.
    public let name: String

    /// Not compressed.
    public static let none = BargeCodec(name: "none")
    /// gzip (RFC 1952, one member).
    public static let gzip = BargeCodec(name: "gzip")
    /// The LZ4 frame format.
    public static let lz4 = BargeCodec(name: "lz4")
    /// A Zstandard frame.
    public static let zstd = BargeCodec(name: "zstd")
    /// The raw Snappy block format.
    public static let snappy = BargeCodec(name: "snappy")

    /// Every codec of version 1.
    public static let all: [BargeCodec] = [.none, .gzip, .lz4, .zstd, .snappy]

    /// The codec named `name`, if version 1 has it.
    public init?(named name: String) {
        guard let codec = Self.all.first(where: { $0.name == name }) else { return nil }
        self = codec
    }

    private init(name: String) {
        self.name = name
    }

    public var description: String { name }
}
