/// Bounds a reader puts on numbers read from headers, so that a record that
/// lies cannot make it allocate what it claims.
public struct BargeWireLimits: Hashable, Sendable {
    /// Most chunks per message. Default: 2^24.
    public var maximumChunkCount = 1 << 24
    /// Largest payload. Default: 2^50 bytes.
    public var maximumPayloadSize: Int64 = 1 << 50
    /// Largest chunk before compression. Default: 2^31 bytes.
    public var maximumChunkSize = 1 << 31

    /// The default limits.
    public init() {}
}
