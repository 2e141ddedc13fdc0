/// Encrypts one object as it streams by, in segments of
/// ``BargeEncryptionParameters/segmentSize`` plaintext bytes, each sealed
/// with AES-256-GCM under a new random data key (docs/encryption.md).
///
/// Feed the payload to ``encrypt(_:)`` in pieces of any size, then call
/// ``finish()`` once; the ciphertext is what they return, concatenated.
/// The encryptor holds back at most one segment of plaintext (the last
/// segment is sealed differently, and a full segment may be the last).
/// Send ``parameters`` with the object's reference record.
public struct BargeSegmentEncryptor: Sendable {
    /// What a reader needs to decrypt the object, besides the key.
    public let parameters: BargeEncryptionParameters
    private let cipher: SegmentCipher
    private var splitter: SegmentSplitter
    private var isFinished = false

    /// An encryptor for one object whose data key is wrapped under `key`;
    /// `.malformedParameters` for a segment size outside
    /// ``BargeEncryptionParameters/segmentSizes``.
    public init(key: BargeEncryptionKey, segmentSize: Int = BargeEncryptionParameters.defaultSegmentSize) throws(BargeEncryptionError) {
        let (parameters, dataKey) = try BargeEncryptionParameters.generate(wrappingWith: key, segmentSize: segmentSize)
        self.parameters = parameters
        self.cipher = SegmentCipher(dataKey: dataKey, parameters: parameters)
        self.splitter = SegmentSplitter(unit: segmentSize, firstIndex: 0)
    }

    /// An encryptor for one object whose data key is wrapped under the
    /// keyring's current key.
    public init(keyring: BargeKeyring, segmentSize: Int = BargeEncryptionParameters.defaultSegmentSize) throws(BargeEncryptionError) {
        try self.init(key: keyring.current, segmentSize: segmentSize)
    }

    /// The ciphertext of the segments that `piece` completes (possibly
    /// none); `.tooLarge` past 2³² segments.
    public mutating func encrypt(_ piece: [UInt8]) throws(BargeEncryptionError) -> [UInt8] {
        precondition(!isFinished, "BargeSegmentEncryptor used after finish()")
        let cipher = self.cipher
        var output: [UInt8] = []
        try splitter.feed(piece) { segment, index throws(BargeEncryptionError) in
            try cipher.seal(segment, index: index, isFinal: false, into: &output)
        }
        return output
    }

    /// The ciphertext of the final segment (for an empty payload, an empty
    /// final segment: its tag alone).
    public mutating func finish() throws(BargeEncryptionError) -> [UInt8] {
        precondition(!isFinished, "BargeSegmentEncryptor.finish() called twice")
        isFinished = true
        let (segment, index) = splitter.finish()
        var output: [UInt8] = []
        try cipher.seal(segment[...], index: index, isFinal: true, into: &output)
        return output
    }

    /// The ciphertext size of a payload of `plaintextSize` bytes in segments
    /// of `segmentSize` bytes: the payload plus 16 bytes per segment, an
    /// empty payload having one segment. `plaintextSize` must be between 0
    /// and 2³² segments, and `segmentSize` positive.
    public static func encryptedSize(plaintextSize: Int64, segmentSize: Int) -> Int64 {
        precondition(segmentSize > 0, "segment size \(segmentSize) is not positive")
        precondition(
            (0...Int64(segmentSize) * SegmentCipher.maximumSegmentCount).contains(plaintextSize),
            "plaintext size \(plaintextSize) is outside 0 to 2^32 segments"
        )
        let segments = plaintextSize == 0 ? 1 : (plaintextSize - 1) / Int64(segmentSize) + 1
        return plaintextSize + segments * Int64(SegmentCipher.tagByteCount)
    }

    /// Plaintext bytes held back, waiting for the rest of their segment or
    /// for the end of the payload (at most one segment).
    package var bufferedByteCount: Int { splitter.pending.count }
}
