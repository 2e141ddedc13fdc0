/// The header names of encryption parameters (docs/encryption.md); they
/// appear together on a record whose object is encrypted, and not at all
/// otherwise.
extension BargeHeaderName {
    /// The algorithm: `aes-256-gcm-segmented-v1`.
    public static let encryption = "barge.encryption"
    /// The id of the key-encryption key.
    public static let encryptionKeyID = "barge.encryption-key-id"
    /// The wrapped data key, in standard base64 (80 characters).
    public static let encryptionWrappedKey = "barge.encryption-wrapped-key"
    /// The nonce prefix, in standard base64 (12 characters).
    public static let encryptionNoncePrefix = "barge.encryption-nonce-prefix"
    /// Plaintext bytes per segment, in decimal.
    public static let encryptionSegmentSize = "barge.encryption-segment-size"
}

/// Encryption parameters as text fields, to travel as record headers.
extension BargeEncryptionParameters {
    private static let fieldNames = [
        BargeHeaderName.encryption, BargeHeaderName.encryptionKeyID, BargeHeaderName.encryptionWrappedKey,
        BargeHeaderName.encryptionNoncePrefix, BargeHeaderName.encryptionSegmentSize,
    ]

    /// The parameters as (header name, UTF-8 text value) pairs, in the order
    /// of ``BargeHeaderName``'s encryption names.
    public var headerFields: [(name: String, value: String)] {
        [
            (BargeHeaderName.encryption, algorithm),
            (BargeHeaderName.encryptionKeyID, keyID),
            (BargeHeaderName.encryptionWrappedKey, StrictBase64.encode(wrappedKey)),
            (BargeHeaderName.encryptionNoncePrefix, StrictBase64.encode(noncePrefix)),
            (BargeHeaderName.encryptionSegmentSize, String(segmentSize)),
        ]
    }

    /// Reads the parameters out of a record's headers (other names are
    /// ignored): nil when none of the encryption headers is present (the
    /// object is not encrypted), `.unsupportedAlgorithm` for an algorithm
    /// other than ``algorithm``, `.malformedParameters` when a header is
    /// missing, repeated or malformed. Values are checked for length before
    /// they are decoded, and never repeated in errors.
    public init?(headerFields: [(name: String, value: String)]) throws(BargeEncryptionError) {
        var values: [String: String] = [:]
        for (name, value) in headerFields where Self.fieldNames.contains(name) {
            guard values.updateValue(value, forKey: name) == nil else {
                throw BargeEncryptionError(.malformedParameters, "header '\(name)' appears twice")
            }
        }
        guard !values.isEmpty else { return nil }
        func required(_ name: String) throws(BargeEncryptionError) -> String {
            guard let value = values[name] else { throw BargeEncryptionError(.malformedParameters, "header '\(name)' is missing") }
            return value
        }
        guard try required(BargeHeaderName.encryption) == Self.algorithm else {
            throw BargeEncryptionError(.unsupportedAlgorithm, "header '\(BargeHeaderName.encryption)' names an algorithm other than \(Self.algorithm)")
        }
        try self.init(
            keyID: try required(BargeHeaderName.encryptionKeyID),
            wrappedKey: try Self.bytes(required(BargeHeaderName.encryptionWrappedKey), count: Self.wrappedKeyByteCount, header: BargeHeaderName.encryptionWrappedKey),
            noncePrefix: try Self.bytes(required(BargeHeaderName.encryptionNoncePrefix), count: Self.noncePrefixByteCount, header: BargeHeaderName.encryptionNoncePrefix),
            segmentSize: try Self.segmentSize(required(BargeHeaderName.encryptionSegmentSize))
        )
    }

    private static func bytes(_ text: String, count: Int, header: String) throws(BargeEncryptionError) -> [UInt8] {
        guard let bytes = StrictBase64.decode(text, byteCount: count) else {
            throw BargeEncryptionError(.malformedParameters, "header '\(header)' is not standard base64 of \(count) bytes")
        }
        return bytes
    }

    /// A decimal number without sign or leading zeros, of at most 7 digits
    /// (the largest segment size has 7).
    private static func segmentSize(_ text: String) throws(BargeEncryptionError) -> Int {
        let digits = text.utf8
        guard (1...7).contains(digits.count), digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            digits.count == 1 || digits.first != UInt8(ascii: "0"), let value = Int(text)
        else {
            throw BargeEncryptionError(.malformedParameters, "header '\(BargeHeaderName.encryptionSegmentSize)' is not a decimal number of at most 7 digits")
        }
        return value
    }
}
