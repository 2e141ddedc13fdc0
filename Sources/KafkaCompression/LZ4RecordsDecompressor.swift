import CBargeCompression
import KafkaProtocol

/// One LZ4 frame (Kafka's format for magic 1 and 2) over liblz4's LZ4F
/// API, which keeps at most two blocks of at most 4 MiB; anything after
/// the frame is an error, unless zero padding is allowed.
final class LZ4RecordsDecompressor: RecordsDecompressor {
    private static let codec = RecordCompression.lz4

    private let context: OpaquePointer
    private let buffer: UnsafeMutableRawBufferPointer
    private var frameEnded = false
    private let allowsTrailingZeros: Bool

    init(allowingTrailingZeros: Bool = false) throws(RecordValidationError) {
        allowsTrailingZeros = allowingTrailingZeros
        var context: OpaquePointer?
        guard LZ4F_isError(LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))) == 0, let context else {
            throw .corrupt(Self.codec, "could not be read: LZ4F_createDecompressionContext failed")
        }
        self.context = context
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: RecordsDecompression.outputPieceSize, alignment: 16)
    }

    deinit {
        LZ4F_freeDecompressionContext(context)
        buffer.deallocate()
    }

    func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard let base = input.baseAddress, input.count > 0 else { return }
        var consumed = 0
        while true {
            if frameEnded {
                if allowsTrailingZeros {
                    return try RecordsDecompression.checkPadding(UnsafeRawBufferPointer(rebasing: input[consumed...]), codec: Self.codec)
                }
                guard consumed == input.count else {
                    throw .corrupt(Self.codec, "has \(input.count - consumed) bytes after the end of its LZ4 frame")
                }
                return
            }
            var inputStep = input.count - consumed
            var outputStep = buffer.count
            let hint = LZ4F_decompress(context, buffer.baseAddress, &outputStep, base + consumed, &inputStep, nil)
            if LZ4F_isError(hint) != 0 {
                throw .corrupt(Self.codec, "is not an LZ4 frame: \(String(cString: LZ4F_getErrorName(hint)))")
            }
            consumed += inputStep
            if outputStep > 0 { try output(UnsafeRawBufferPointer(rebasing: buffer[..<outputStep])) }
            if hint == 0 {
                frameEnded = true
            } else if consumed == input.count && outputStep < buffer.count {
                return
            }
        }
    }

    func finish(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError) {
        guard frameEnded else { throw .truncated(Self.codec) }
    }
}
