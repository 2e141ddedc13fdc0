import CBargeCompression
import KafkaProtocol

/// gzip over zlib's `inflate` with a 32 KiB window: one member, or several
/// concatenated (as `GZIPInputStream` reads them); anything else after a
/// member is an error, unless zero padding is allowed.
final class GzipRecordsDecompressor: RecordsDecompressor {
    private static let codec = RecordCompression.gzip
    /// zlib's window bits for a gzip wrapper around a 32 KiB window.
    private static let gzipWindowBits: Int32 = 15 + 16

    // zlib keeps a pointer to its z_stream in its state and checks it, so the
    // stream lives at one address: on the heap, not in a Swift variable.
    private let stream: UnsafeMutablePointer<z_stream>
    private let buffer: UnsafeMutableRawBufferPointer
    /// Whether the last member read has ended (or none has begun).
    private var memberEnded = true
    private var sawInput = false
    private let allowsTrailingZeros: Bool
    /// Whether zero padding has begun after the last member.
    private var padding = false

    init(allowingTrailingZeros: Bool = false) throws(RecordValidationError) {
        allowsTrailingZeros = allowingTrailingZeros
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit2_(stream, Self.gzipWindowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw .corrupt(Self.codec, "could not be read: zlib's inflateInit2 failed")
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RecordsDecompression.outputPieceSize, alignment: 16)
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
        buffer.deallocate()
    }

    func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var consumed = 0
        while true {
            if memberEnded {
                guard consumed < input.count else { return }
                // A member begins with 0x1f: a zero byte after one is padding.
                if allowsTrailingZeros && sawInput && (padding || input[consumed] == 0) {
                    padding = true
                    return try RecordsDecompression.checkPadding(UnsafeRawBufferPointer(rebasing: input[consumed...]), codec: Self.codec)
                }
                // The start of the first member, or another one after it.
                if sawInput { inflateReset(stream) }
                memberEnded = false
            }
            sawInput = true
            let step = min(input.count - consumed, Int(UInt32.max))
            stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + consumed).assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = UInt32(step)
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(buffer.count)
            let status = inflate(stream, Z_NO_FLUSH)
            consumed += step - Int(stream.pointee.avail_in)
            let produced = buffer.count - Int(stream.pointee.avail_out)
            if produced > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[..<produced])) }
            switch status {
            case Z_STREAM_END:
                memberEnded = true
            case Z_OK, Z_BUF_ERROR:
                // Done with this piece once it is all taken and inflate has no more output for now.
                if consumed == input.count && produced < buffer.count { return }
            default:
                let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw .corrupt(Self.codec, "is not gzip: \(reason)")
            }
        }
    }

    func finish(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard sawInput, memberEnded else { throw .truncated(Self.codec) }
    }
}
