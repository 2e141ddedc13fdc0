/// How to read plaintext bytes `plaintext` of an encrypted object without
/// the rest: the whole segments covering them, as one ciphertext range to
/// fetch, and what to cut from their plaintext.
///
/// Hand it to ``BargeSegmentDecryptor/init(parameters:keyring:range:)``,
/// which checks the segments at their own indexes and finality and returns
/// exactly the bytes asked for. An empty range still fetches (and
/// authenticates) one segment.
public struct BargeEncryptedRange: Hashable, Sendable {
    /// The plaintext bytes asked for.
    public let plaintext: Range<Int64>
    /// The ciphertext bytes to fetch: whole segments with their tags.
    public let ciphertext: Range<Int64>
    /// The index of the first segment fetched.
    public let firstSegment: Int64
    /// Plaintext bytes of the first segment that come before ``plaintext``.
    public let droppedByteCount: Int
    /// Whether the last segment fetched is the object's final segment.
    public let includesFinalSegment: Bool
    /// The object's segment size.
    public let segmentSize: Int

    /// Plaintext bytes kept after the dropped ones: the size of ``plaintext``.
    public var keptByteCount: Int64 { plaintext.upperBound - plaintext.lowerBound }

    /// The plan for reading `plaintext` out of an object of `plaintextSize`
    /// bytes encrypted in segments of `segmentSize`: `.invalidRange` for a
    /// range outside `0..<plaintextSize` or a size beyond 2³² segments,
    /// `.malformedParameters` for a segment size out of range.
    public static func plan(plaintext: Range<Int64>, plaintextSize: Int64, segmentSize: Int) throws(BargeEncryptionError) -> BargeEncryptedRange {
        try BargeEncryptionParameters.checkSegmentSize(segmentSize)
        let size = Int64(segmentSize)
        guard (0...size * SegmentCipher.maximumSegmentCount).contains(plaintextSize) else {
            throw BargeEncryptionError(.invalidRange, "plaintext size \(plaintextSize) is outside 0 to 2^32 segments of \(segmentSize) bytes")
        }
        guard plaintext.lowerBound >= 0, plaintext.upperBound <= plaintextSize else {
            throw BargeEncryptionError(.invalidRange, "bytes \(plaintext) are not within the object's \(plaintextSize) bytes")
        }
        let finalSegment = plaintextSize == 0 ? 0 : (plaintextSize - 1) / size
        let first = min(plaintext.lowerBound / size, finalSegment)
        let last = plaintext.isEmpty ? first : (plaintext.upperBound - 1) / size
        let lastPlaintextSize = last == finalSegment ? plaintextSize - last * size : size
        let unit = size + Int64(SegmentCipher.tagByteCount)
        return BargeEncryptedRange(
            plaintext: plaintext,
            ciphertext: first * unit..<last * unit + lastPlaintextSize + Int64(SegmentCipher.tagByteCount),
            firstSegment: first,
            droppedByteCount: Int(plaintext.lowerBound - first * size),
            includesFinalSegment: last == finalSegment,
            segmentSize: segmentSize
        )
    }
}
