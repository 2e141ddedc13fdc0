import KafkaProtocol

/// Decompresses the body of a compressed record batch (the bytes after its
/// 61-byte header) as its pieces arrive, and hands the records' bytes on in
/// pieces, so that a broker can check the records inside with memory that
/// does not depend on the batch's size: each codec keeps a bounded window
/// (gzip 32 KiB, Snappy 64 KiB, an LZ4 frame's blocks of at most 4 MiB,
/// a Zstandard window of at most `ZstdRecordsDecompressor.maximumWindowLog`).
///
/// The formats are Kafka's: gzip (one or more members), Snappy in the
/// xerial framing that Kafka's Java client writes or raw (as librdkafka
/// writes it), an LZ4 frame, and Zstandard frames. A body that is not a
/// valid stream of its codec, is truncated or has bytes after the stream
/// fails with `.corruptBatch`. Output pieces go to `output`, whose errors
/// stop decompression (a caller bounds the total there).
public protocol RecordsDecompressor: AnyObject {
    /// Decompresses the next piece of the compressed body.
    func feed(_ input: UnsafeRawBufferPointer, output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError)
    /// Checks that the compressed stream is complete, handing on any output still held.
    func finish(output: (UnsafeRawBufferPointer) throws(RecordValidationError) -> Void) throws(RecordValidationError)
}

/// Makes the decompressor of a batch's codec.
public enum RecordsDecompression {
    /// Bytes of output handed on at a time (at most; Snappy blocks may be handed on in one piece).
    public static let outputPieceSize = 64 * 1024

    /// A decompressor for `codec`; nil for `.none` and unknown codecs. With
    /// `allowingTrailingZeros`, zero bytes after the end of the stream are
    /// taken as padding, not an error (any other byte after them still is):
    /// bakdata's large-message serde uploads compressed streams padded with
    /// zeros. A raw (not xerial-framed) Snappy stream cannot tell padding
    /// from data and never allows it.
    public static func decompressor(for codec: RecordCompression, allowingTrailingZeros: Bool = false) throws(RecordValidationError) -> (any RecordsDecompressor)? {
        switch codec {
        case .gzip: try GzipRecordsDecompressor(allowingTrailingZeros: allowingTrailingZeros)
        case .snappy: SnappyRecordsDecompressor(allowingTrailingZeros: allowingTrailingZeros)
        case .lz4: try LZ4RecordsDecompressor(allowingTrailingZeros: allowingTrailingZeros)
        case .zstd: try ZstdRecordsDecompressor(allowingTrailingZeros: allowingTrailingZeros)
        default: nil
        }
    }

    /// Checks that `input` (what follows the end of a stream) is zero padding.
    static func checkPadding(_ input: UnsafeRawBufferPointer, codec: RecordCompression) throws(RecordValidationError) {
        guard input.allSatisfy({ $0 == 0 }) else {
            throw .corrupt(codec, "has bytes other than zero padding after the end of its stream")
        }
    }
}

extension RecordValidationError {
    /// A compressed body that is not a valid stream of `codec`.
    static func corrupt(_ codec: RecordCompression, _ problem: String) -> RecordValidationError {
        RecordValidationError(.corruptBatch, "the \(codec) body of the record batch \(problem)")
    }

    /// A compressed body that ends inside its stream.
    static func truncated(_ codec: RecordCompression) -> RecordValidationError {
        corrupt(codec, "is truncated: it ends inside the compressed stream")
    }
}
