extension ChunkCodec {
    /// Runs `decode` over an uninitialized output of `expectedSize + outputSlack`
    /// bytes and returns what it wrote, which must be exactly `expectedSize`
    /// bytes. `decode` writes from the start of the buffer and returns how
    /// many bytes it wrote; it may fill the buffer and then report the value
    /// as too long itself, or return a full buffer for this function to.
    static func decodeBounded(
        _ codec: BargeCodec, expectedSize: Int,
        _ decode: (UnsafeMutableBufferPointer<UInt8>) throws(BargeWireError) -> Int
    ) throws(BargeWireError) -> [UInt8] {
        var failure: BargeWireError?
        let output = [UInt8](unsafeUninitializedCapacity: expectedSize + outputSlack) { buffer, count in
            do throws(BargeWireError) {
                count = try decode(UnsafeMutableBufferPointer(rebasing: buffer[0..<(expectedSize + outputSlack)]))
            } catch {
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        guard output.count == expectedSize else { throw .sizeMismatch(codec, actual: output.count, expected: expectedSize) }
        return output
    }
}

extension BargeWireError {
    /// A compressed value that is not a valid stream of its codec.
    static func corruptValue(_ codec: BargeCodec, _ problem: String) -> BargeWireError {
        BargeWireError(.malformedValue, BargeHeaderName.codec, "the \(codec) value \(problem)")
    }

    /// A compressed value that ends inside its stream.
    static func truncatedValue(_ codec: BargeCodec) -> BargeWireError {
        corruptValue(codec, "is truncated: it ends inside the compressed stream")
    }

    /// A compressed value followed by bytes that are not part of its one stream.
    static func trailingBytes(_ codec: BargeCodec, _ count: Int) -> BargeWireError {
        corruptValue(codec, "has \(count) trailing bytes after the end of the compressed stream")
    }

    /// A value that decompresses to more than `expected` bytes (decoding
    /// stopped there).
    static func valueTooLong(_ codec: BargeCodec, expected: Int) -> BargeWireError {
        BargeWireError(.inconsistent, BargeHeaderName.codec, "the \(codec) value decompresses to more than the \(expected) bytes the headers give")
    }

    /// A value that decompresses to `actual` bytes where the headers give `expected`.
    static func sizeMismatch(_ codec: BargeCodec, actual: Int, expected: Int) -> BargeWireError {
        guard actual <= expected else { return valueTooLong(codec, expected: expected) }
        return BargeWireError(.inconsistent, BargeHeaderName.codec, "the \(codec) value decompresses to \(actual) bytes, the headers give \(expected)")
    }
}
