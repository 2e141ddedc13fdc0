/// How a payload travels: in one record, or in chunks.
public struct LargeMessagePolicy: Hashable, Sendable {
    enum Strategy: Hashable, Sendable {
        case inline
        case chunked
        case auto
    }

    let strategy: Strategy
    /// The uncompressed size of every chunk but the last.
    public let chunkSize: Int

    /// The default chunk size, 960 KiB: with room for headers, a chunk fits
    /// Kafka's default record limit (the producer's `message.max.bytes` of
    /// 1,000,000 and the topic's `max.message.bytes` of 1,048,588).
    public static let defaultChunkSize = 960 << 10

    /// Always one record; the topic's `max.message.bytes` must allow it.
    public static let inline = LargeMessagePolicy(strategy: .inline, chunkSize: defaultChunkSize)

    /// Always chunks of `chunkSize` bytes (default ``defaultChunkSize``).
    public static func chunked(chunkSize: Int = defaultChunkSize) -> LargeMessagePolicy {
        LargeMessagePolicy(strategy: .chunked, chunkSize: chunkSize)
    }

    /// One record when the payload fits under the topic's `max.message.bytes`
    /// (less room for headers and batch overhead), chunks of `chunkSize`
    /// above; a stream of unknown length is always chunked. The default.
    public static func auto(chunkSize: Int = defaultChunkSize) -> LargeMessagePolicy {
        LargeMessagePolicy(strategy: .auto, chunkSize: chunkSize)
    }

    /// Whether a payload of `size` bytes goes inline, for a topic whose
    /// records may hold `recordLimit` bytes.
    func sendsInline(size: Int64?, recordLimit: Int) -> Bool {
        switch strategy {
        case .inline: true
        case .chunked: false
        case .auto: size.map { $0 <= Int64(recordLimit - Self.recordOverhead) } ?? false
        }
    }

    /// Room left in a record for Barge's headers, the application's and batch framing.
    static let recordOverhead = 16 * 1024
}
