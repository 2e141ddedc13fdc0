/// How a payload travels: in one record, in chunks, or as a claim check (an
/// object in a store, with one reference record in Kafka).
public struct LargeMessagePolicy: Hashable, Sendable {
    package enum Strategy: Hashable, Sendable {
        case inline
        case chunked
        case auto
        case claimCheck
    }

    /// Where one payload goes, as the policy decided.
    package enum Route: Hashable, Sendable {
        case inline
        case chunked
        case claimCheck
    }

    package let strategy: Strategy
    /// The uncompressed size of every chunk but the last.
    public let chunkSize: Int
    /// With ``auto(chunkSize:claimCheckAbove:)``: payloads of at least this
    /// many bytes go as claim checks.
    public let claimCheckThreshold: Int64?

    /// The default chunk size, 960 KiB: with room for headers, a chunk fits
    /// Kafka's default record limit (the producer's `message.max.bytes` of
    /// 1,000,000 and the topic's `max.message.bytes` of 1,048,588).
    public static let defaultChunkSize = 960 << 10

    /// Always one record; the topic's `max.message.bytes` must allow it.
    public static let inline = LargeMessagePolicy(strategy: .inline, chunkSize: defaultChunkSize, claimCheckThreshold: nil)

    /// Always a claim check: the payload goes to the producer's object store.
    public static let claimCheck = LargeMessagePolicy(strategy: .claimCheck, chunkSize: defaultChunkSize, claimCheckThreshold: nil)

    /// Always chunks of `chunkSize` bytes (default ``defaultChunkSize``).
    public static func chunked(chunkSize: Int = defaultChunkSize) -> LargeMessagePolicy {
        LargeMessagePolicy(strategy: .chunked, chunkSize: chunkSize, claimCheckThreshold: nil)
    }

    /// A claim check when a threshold is given and the payload's size is
    /// known and at least that; else one record when the payload fits under
    /// the topic's `max.message.bytes` (less room for headers and batch
    /// overhead); chunks of `chunkSize` otherwise (always for a stream of
    /// unknown length). The default, without a threshold.
    public static func auto(chunkSize: Int = defaultChunkSize, claimCheckAbove threshold: Int64? = nil) -> LargeMessagePolicy {
        LargeMessagePolicy(strategy: .auto, chunkSize: chunkSize, claimCheckThreshold: threshold)
    }

    /// Whether the policy may send claim checks (and so needs an object store).
    public var usesClaimCheck: Bool { strategy == .claimCheck || claimCheckThreshold != nil }

    /// Where a payload of `size` bytes (nil: unknown) goes, for a topic whose
    /// records may hold `recordLimit` bytes. Empty payloads always go inline.
    package func route(size: Int64?, recordLimit: Int) -> Route {
        switch strategy {
        case .inline: return .inline
        case .claimCheck: return .claimCheck
        case .chunked: return size == 0 ? .inline : .chunked
        case .auto:
            guard let size else { return .chunked }
            if let claimCheckThreshold, size >= claimCheckThreshold, size > 0 { return .claimCheck }
            if size == 0 || size <= Int64(recordLimit - Self.recordOverhead) { return .inline }
            return .chunked
        }
    }

    /// Room left in a record for Barge's headers, the application's and batch framing.
    package static let recordOverhead = 16 * 1024
}
