/// Decrypts one object, or a planned range of it, as its ciphertext streams
/// by, checking every segment's tag, index and finality
/// (docs/encryption.md).
///
/// Feed the ciphertext to ``decrypt(_:)`` in pieces of any size, then call
/// ``finish()`` once; the plaintext is what they return, concatenated. Only
/// authenticated bytes are returned, one segment at a time, but a stream is
/// only known to be complete when ``finish()`` returns: until then, treat
/// the plaintext as provisional. The decryptor holds back at most one
/// segment of ciphertext. After it throws, it must not be used again.
public struct BargeSegmentDecryptor: Sendable {
    private let cipher: SegmentCipher
    private let range: BargeEncryptedRange?
    private var splitter: SegmentSplitter
    private var receivedByteCount: Int64 = 0
    private var isFinished = false

    /// A decryptor for a whole object, from its first segment to its final
    /// one: `.unknownKey` when `keyring` lacks the parameters' key id,
    /// `.wrongKey` when that key does not unwrap the data key.
    public init(parameters: BargeEncryptionParameters, keyring: BargeKeyring) throws(BargeEncryptionError) {
        self.init(cipher: SegmentCipher(dataKey: try parameters.unwrapDataKey(with: keyring), parameters: parameters), range: nil)
    }

    /// A decryptor for the ciphertext bytes `range.ciphertext` of an object,
    /// which returns the plaintext bytes `range.plaintext`; `.invalidRange`
    /// when `range` was planned for another segment size.
    public init(parameters: BargeEncryptionParameters, keyring: BargeKeyring, range: BargeEncryptedRange) throws(BargeEncryptionError) {
        guard range.segmentSize == parameters.segmentSize else {
            throw BargeEncryptionError(.invalidRange, "the range was planned for segments of \(range.segmentSize) bytes, the object has \(parameters.segmentSize)")
        }
        self.init(cipher: SegmentCipher(dataKey: try parameters.unwrapDataKey(with: keyring), parameters: parameters), range: range)
    }

    private init(cipher: SegmentCipher, range: BargeEncryptedRange?) {
        self.cipher = cipher
        self.range = range
        self.splitter = SegmentSplitter(unit: cipher.segmentSize + SegmentCipher.tagByteCount, firstIndex: range?.firstSegment ?? 0)
    }

    /// The plaintext of the segments that `piece` completes (possibly none).
    public mutating func decrypt(_ piece: [UInt8]) throws(BargeEncryptionError) -> [UInt8] {
        precondition(!isFinished, "BargeSegmentDecryptor used after finish()")
        receivedByteCount += Int64(piece.count)
        if let range, receivedByteCount > range.ciphertext.upperBound - range.ciphertext.lowerBound {
            throw BargeEncryptionError(.trailingData, "the ciphertext is longer than the planned range \(range.ciphertext)")
        }
        let (cipher, range) = (self.cipher, self.range)
        var output: [UInt8] = []
        try splitter.feed(piece) { segment, index throws(BargeEncryptionError) in
            Self.append(try Self.open(segment, index: index, isFinal: false, with: cipher), index: index, range: range, to: &output)
        }
        return output
    }

    /// The plaintext of the last segment, once the stream is known to be
    /// complete: `.truncated` when it ends early, `.tampered` or
    /// `.trailingData` when its last segment is not the one expected.
    public mutating func finish() throws(BargeEncryptionError) -> [UInt8] {
        precondition(!isFinished, "BargeSegmentDecryptor.finish() called twice")
        isFinished = true
        let (segment, index) = splitter.finish()
        if let range, receivedByteCount < range.ciphertext.upperBound - range.ciphertext.lowerBound {
            throw BargeEncryptionError(.truncated, "the ciphertext ends after \(receivedByteCount) bytes of the planned range \(range.ciphertext)")
        }
        guard segment.count >= SegmentCipher.tagByteCount else {
            throw BargeEncryptionError(
                .truncated, segment: index,
                receivedByteCount == 0
                    ? "the ciphertext is empty; even an empty payload has a final segment"
                    : "the ciphertext ends \(segment.count) bytes into segment \(index), before its tag"
            )
        }
        var output: [UInt8] = []
        Self.append(try Self.open(segment[...], index: index, isFinal: range?.includesFinalSegment ?? true, with: cipher), index: index, range: range, to: &output)
        return output
    }

    /// The plaintext of `segment`, or the error that says why it does not
    /// open as segment `index` with that finality: when it opens with the
    /// other finality, the stream was cut or extended at a segment boundary.
    private static func open(_ segment: ArraySlice<UInt8>, index: Int64, isFinal: Bool, with cipher: SegmentCipher) throws(BargeEncryptionError) -> [UInt8] {
        if let plaintext = try cipher.open(segment, index: index, isFinal: isFinal) { return plaintext }
        guard try cipher.open(segment, index: index, isFinal: !isFinal) == nil else {
            throw isFinal
                ? BargeEncryptionError(.truncated, segment: index, "the ciphertext ends after segment \(index), which is not the final segment")
                : BargeEncryptionError(.trailingData, segment: index, "segment \(index) is the final segment, but the ciphertext goes on after it")
        }
        throw BargeEncryptionError(
            .tampered, segment: index,
            "segment \(index) fails authentication: its bytes were changed, moved or cut, or the parameters are not this object's"
        )
    }

    /// Appends the part of segment `index`'s `plaintext` that `range` asks
    /// for (all of it without a range).
    private static func append(_ plaintext: [UInt8], index: Int64, range: BargeEncryptedRange?, to output: inout [UInt8]) {
        guard let range else {
            output += plaintext
            return
        }
        let start = index * Int64(range.segmentSize)
        let lower = Int(max(0, range.plaintext.lowerBound - start))
        let upper = Int(min(Int64(plaintext.count), range.plaintext.upperBound - start))
        if lower < upper { output += plaintext[lower..<upper] }
    }

    /// Ciphertext bytes held back, waiting for the rest of their segment or
    /// for the end of the stream (at most one segment with its tag).
    package var bufferedByteCount: Int { splitter.pending.count }
}
