extension ChunkCodec {
    /// Runs a one-shot compressor over an uninitialized output of `bound`
    /// bytes; `encode` returns the bytes it wrote, or `nil` with `failure`
    /// set to the library's complaint.
    package static func encodeBounded(
        _ codec: BargeCodec, bound: Int, _ encode: (UnsafeMutableBufferPointer<UInt8>) -> Result<Int, BargeCompressionError>
    ) throws(BargeCompressionError) -> [UInt8] {
        var failure: BargeCompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            switch encode(buffer) {
            case .success(let written): count = written
            case .failure(let error):
                failure = error
                count = 0
            }
        }
        if let failure { throw failure }
        return output
    }

    /// ``decodeBounded(_:expectedSize:_:)`` with the compressed `bytes`
    /// handed to `decode` as well, for the streaming decoders.
    package static func decodeBounded(
        _ codec: BargeCodec, _ bytes: [UInt8], expectedSize: Int,
        _ decode: (UnsafeBufferPointer<UInt8>, UnsafeMutableBufferPointer<UInt8>) throws(BargeWireError) -> Int
    ) throws(BargeWireError) -> [UInt8] {
        try bytes.withUnsafeBufferPointer { input throws(BargeWireError) in
            try decodeBounded(codec, expectedSize: expectedSize) { output throws(BargeWireError) in try decode(input, output) }
        }
    }

    /// Runs `decode` over an uninitialized output of `expectedSize + outputSlack`
    /// bytes and returns what it wrote, which must be exactly `expectedSize`
    /// bytes. `decode` writes from the start of the buffer and returns how
    /// many bytes it wrote. A decoder that fills the buffer may throw
    /// `valueTooLong` itself or return the full count: both are rejected.
    package static func decodeBounded(
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
