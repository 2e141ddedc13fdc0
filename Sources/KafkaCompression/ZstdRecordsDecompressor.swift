import CBargeCompression
import KafkaProtocol

/// Zstandard over libzstd's streaming decoder: one or more frames, with a
/// window of at most 2^`maximumWindowLog` bytes, so that a frame cannot make
/// the broker allocate more (zstd levels 1-19 stay within it; the "ultra"
/// levels 20-22 on large inputs need more and are refused).
final class ZstdRecordsDecompressor: RecordsDecompressor {
    private static let codec = RecordCompression.zstd
    /// The largest window accepted: 8 MiB.
    static let maximumWindowLog: Int32 = 23

    private let context: OpaquePointer
    private let buffer: UnsafeMutableRawBufferPointer
    /// The last hint from `ZSTD_decompressStream`: 0 at the end of a frame.
    private var hint = 1
    private let allowsTrailingZeros: Bool
    /// Whether zero padding has begun after the last frame.
    private var padding = false

    init(allowingTrailingZeros: Bool = false) throws(RecordValidationError) {
        allowsTrailingZeros = allowingTrailingZeros
        guard let context = ZSTD_createDCtx() else { throw .corrupt(Self.codec, "could not be read: ZSTD_createDCtx failed") }
        guard ZSTD_isError(ZSTD_DCtx_setParameter(context, ZSTD_d_windowLogMax, Self.maximumWindowLog)) == 0 else {
            ZSTD_freeDCtx(context)
            throw .corrupt(Self.codec, "could not be read: the window limit cannot be set")
        }
        self.context = context
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RecordsDecompression.outputPieceSize, alignment: 16)
    }

    deinit {
        ZSTD_freeDCtx(context)
        buffer.deallocate()
    }

    func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard input.count > 0 else { return }
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while true {
            // A frame begins with its magic number (0x28 or 0x5_ first): a zero byte after one is padding.
            if allowsTrailingZeros && hint == 0 && source.pos < source.size && (padding || input[source.pos] == 0) {
                padding = true
                return try RecordsDecompression.checkPadding(UnsafeRawBufferPointer(rebasing: input[source.pos...]), codec: Self.codec)
            }
            var destination = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let result = ZSTD_decompressStream(context, &destination, &source)
            if ZSTD_isError(result) != 0 {
                if ZSTD_getErrorCode(result) == ZSTD_error_frameParameter_windowTooLarge {
                    throw RecordValidationError(.tooLarge, "the zstd body of the record batch needs a window larger than \(1 << Self.maximumWindowLog) bytes, the most this broker decodes; compress with a level of 19 or lower")
                }
                throw .corrupt(Self.codec, "is not zstd: \(String(cString: ZSTD_getErrorName(result)))")
            }
            hint = result
            if destination.pos > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[..<destination.pos])) }
            if source.pos == source.size && destination.pos < destination.size { return }
        }
    }

    func finish(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard hint == 0 else { throw .truncated(Self.codec) }
    }
}
