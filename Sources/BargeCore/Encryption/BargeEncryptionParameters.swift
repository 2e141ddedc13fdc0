/// What a reader needs, besides the key-encryption key, to decrypt an
/// object encrypted with `aes-256-gcm-segmented-v1` (docs/encryption.md):
/// it travels with the object's reference record.
///
/// None of it is secret. Every field is authenticated: a changed key id or
/// wrapped key fails to unwrap (`.wrongKey`, `.unknownKey`), a changed nonce
/// prefix or segment size fails the first segment (`.tampered`).
public struct BargeEncryptionParameters: Hashable, Sendable {
    /// The one algorithm of this version: `aes-256-gcm-segmented-v1`.
    public static let algorithm = "aes-256-gcm-segmented-v1"
    /// The segment size used unless configured otherwise: 64 KiB.
    public static let defaultSegmentSize = 64 * 1024
    /// The segment sizes allowed: 4 KiB to 4 MiB.
    public static let segmentSizes = 4 * 1024...4 * 1024 * 1024
    /// Bytes in a wrapped data key: a 12-byte nonce, the 32-byte key
    /// encrypted, and a 16-byte tag.
    public static let wrappedKeyByteCount = SegmentCipher.nonceByteCount + BargeEncryptionKey.byteCount + SegmentCipher.tagByteCount
    /// Bytes in a nonce prefix: 7.
    public static let noncePrefixByteCount = 7

    /// The id of the key-encryption key that wrapped the data key.
    public let keyID: String
    /// The object's data key sealed with AES-256-GCM under the key-encryption
    /// key: nonce ‖ ciphertext ‖ tag (``wrappedKeyByteCount`` bytes).
    public let wrappedKey: [UInt8]
    /// The first 7 bytes of every segment's nonce, random per object.
    public let noncePrefix: [UInt8]
    /// Plaintext bytes in every segment but the last (in ``segmentSizes``).
    public let segmentSize: Int

    /// The algorithm: always ``algorithm``.
    public var algorithm: String { Self.algorithm }

    /// Parameters from their parts, each checked: `.malformedParameters`
    /// names the first one that is out of range (never repeating its value).
    public init(keyID: String, wrappedKey: [UInt8], noncePrefix: [UInt8], segmentSize: Int) throws(BargeEncryptionError) {
        if let problem = BargeEncryptionKey.problem(withID: keyID) {
            throw BargeEncryptionError(.malformedParameters, "the key id \(problem)")
        }
        guard wrappedKey.count == Self.wrappedKeyByteCount else {
            throw BargeEncryptionError(.malformedParameters, keyID: keyID, "the wrapped key has \(wrappedKey.count) bytes, not \(Self.wrappedKeyByteCount)")
        }
        guard noncePrefix.count == Self.noncePrefixByteCount else {
            throw BargeEncryptionError(.malformedParameters, keyID: keyID, "the nonce prefix has \(noncePrefix.count) bytes, not \(Self.noncePrefixByteCount)")
        }
        try Self.checkSegmentSize(segmentSize)
        self.keyID = keyID
        self.wrappedKey = wrappedKey
        self.noncePrefix = noncePrefix
        self.segmentSize = segmentSize
    }

    /// Throws `.malformedParameters` unless `segmentSize` is in ``segmentSizes``.
    package static func checkSegmentSize(_ segmentSize: Int) throws(BargeEncryptionError) {
        guard segmentSizes.contains(segmentSize) else {
            throw BargeEncryptionError(
                .malformedParameters,
                "segment size \(segmentSize) is outside \(segmentSizes.lowerBound)...\(segmentSizes.upperBound)"
            )
        }
    }
}
