/// Why an object could not be encrypted or decrypted, or why encryption
/// settings were refused: what was wrong, and which key or segment it
/// concerns. No error ever carries key material, not even in its message.
public struct BargeEncryptionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case unknownKey, wrongKey, tampered, truncated, trailingData, tooLarge
            case malformedParameters, unsupportedAlgorithm, badKeyring, invalidRange
        }
        private let backing: Backing
        /// The parameters name a key id that the keyring does not have.
        public static let unknownKey = Kind(backing: .unknownKey)
        /// The keyring's key of that id does not unwrap the data key: another
        /// key with the same id, or a corrupted wrapped key.
        public static let wrongKey = Kind(backing: .wrongKey)
        /// A segment fails authentication: changed, moved or duplicated bytes.
        public static let tampered = Kind(backing: .tampered)
        /// The ciphertext ends before its final segment, or inside a segment.
        public static let truncated = Kind(backing: .truncated)
        /// Bytes follow the final segment (or the planned range).
        public static let trailingData = Kind(backing: .trailingData)
        /// A payload or ciphertext longer than 2³² segments.
        public static let tooLarge = Kind(backing: .tooLarge)
        /// Encryption parameters that do not parse or are out of range.
        public static let malformedParameters = Kind(backing: .malformedParameters)
        /// Parameters naming an algorithm this reader does not implement.
        public static let unsupportedAlgorithm = Kind(backing: .unsupportedAlgorithm)
        /// Keyring text or keys that are not valid.
        public static let badKeyring = Kind(backing: .badKeyring)
        /// A plaintext range outside the object, or an object size out of range.
        public static let invalidRange = Kind(backing: .invalidRange)
        public var description: String { "\(backing)" }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The key-encryption key concerned, when there is one (ids are not secret).
    public let keyID: String?
    /// The index of the segment concerned, when there is one.
    public let segment: Int64?
    /// What was wrong, in words.
    public let message: String

    package init(_ kind: Kind, keyID: String? = nil, segment: Int64? = nil, _ message: String) {
        self.kind = kind
        self.keyID = keyID
        self.segment = segment
        self.message = message
    }

    public var description: String { "BargeEncryptionError.\(kind): \(message)" }
}
