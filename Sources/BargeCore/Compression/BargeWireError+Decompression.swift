/// The errors of a value that does not decompress to what its headers say
/// (docs/wire-format.md, "Values"); all name `barge.codec`.
extension BargeWireError {
    /// A compressed value that is not a valid stream of its codec.
    package static func corruptValue(_ codec: BargeCodec, _ problem: String) -> BargeWireError {
        BargeWireError(.malformedValue, BargeHeaderName.codec, "the \(codec) value \(problem)")
    }

    /// A compressed value that ends inside its stream.
    package static func truncatedValue(_ codec: BargeCodec) -> BargeWireError {
        corruptValue(codec, "is truncated: it ends inside the compressed stream")
    }

    /// A compressed value followed by bytes that are not part of its one stream.
    package static func trailingBytes(_ codec: BargeCodec, _ count: Int) -> BargeWireError {
        corruptValue(codec, "has \(count) trailing bytes after the end of the compressed stream")
    }

    /// A value that decompresses to more than `expected` bytes (decoding
    /// stopped there).
    package static func valueTooLong(_ codec: BargeCodec, expected: Int) -> BargeWireError {
        BargeWireError(.inconsistent, BargeHeaderName.codec, "the \(codec) value decompresses to more than the \(expected) bytes the headers give")
    }

    /// A value that decompresses to `actual` bytes where the headers give `expected`.
    package static func sizeMismatch(_ codec: BargeCodec, actual: Int, expected: Int) -> BargeWireError {
        guard actual <= expected else { return valueTooLong(codec, expected: expected) }
        return BargeWireError(.inconsistent, BargeHeaderName.codec, "the \(codec) value decompresses to \(actual) bytes, the headers give \(expected)")
    }
}
