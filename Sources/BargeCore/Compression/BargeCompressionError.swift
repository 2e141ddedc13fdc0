/// A compression library failed to compress a payload (it ran out of
/// memory, or was given a level it does not have).
public struct BargeCompressionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The codec that failed.
    public let codec: BargeCodec
    /// What went wrong, in words (the library's message when it gave one).
    public let message: String

    package init(_ codec: BargeCodec, _ message: String) {
        self.codec = codec
        self.message = message
    }

    public var description: String { "BargeCompressionError \(codec): \(message)" }
}
