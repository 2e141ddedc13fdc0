/// How bakdata compressed a backed payload's object: the byte of header
/// `__large.message.backed.compression` (or the pre-4.0 misspelling with
/// two dots). The streams are Kafka's: a gzip member, xerial-framed Snappy,
/// an LZ4 frame, a Zstandard frame; bakdata may pad them with zero bytes.
public struct BakdataCompression: Hashable, Sendable, CustomStringConvertible {
    /// The id byte: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd (Kafka's codec ids).
    public let id: UInt8

    private init(uncheckedID id: UInt8) { self.id = id }

    public static let none = BakdataCompression(uncheckedID: 0)
    public static let gzip = BakdataCompression(uncheckedID: 1)
    public static let snappy = BakdataCompression(uncheckedID: 2)
    public static let lz4 = BakdataCompression(uncheckedID: 3)
    public static let zstd = BakdataCompression(uncheckedID: 4)

    /// The compression with id byte `id`; `unknownCompression` beyond 4.
    public init(id: UInt8) throws(InteropError) {
        guard id <= 4 else {
            throw InteropError(.unknownCompression, BakdataHeaderName.compression, "compression id \(id) is none of 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd")
        }
        self.id = id
    }

    public var description: String { ["none", "gzip", "snappy", "lz4", "zstd"][Int(id)] }
}
