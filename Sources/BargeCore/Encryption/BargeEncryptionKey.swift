import Crypto

/// A key-encryption key (KEK): 32 bytes that wrap each object's data key,
/// and the id that names it in the object's record.
///
/// Its description, debug description and mirror show the id only, so that
/// logging or dumping a key (or a keyring) never prints the key itself.
public struct BargeEncryptionKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The number of bytes in a key: 32 (AES-256).
    public static let byteCount = 32
    /// The most characters in an id: 64.
    public static let maximumIDLength = 64

    /// The key's id: 1 to 64 characters of `A-Z a-z 0-9 . _ -`.
    public let id: String
    /// The key itself.
    package let material: SendableKey

    /// The key `bytes` (exactly 32) named `id`.
    public init(id: String, bytes: [UInt8]) throws(BargeEncryptionError) {
        try Self.checkID(id)
        guard bytes.count == Self.byteCount else {
            throw BargeEncryptionError(.badKeyring, keyID: id, "key '\(id)' has \(bytes.count) bytes, not \(Self.byteCount)")
        }
        self.id = id
        self.material = SendableKey(SymmetricKey(data: bytes))
    }

    /// The key written in standard base64 (`base64`, 44 characters with
    /// padding) named `id`.
    public init(id: String, base64: String) throws(BargeEncryptionError) {
        try Self.checkID(id)
        guard let bytes = StrictBase64.decode(base64, byteCount: Self.byteCount) else {
            throw BargeEncryptionError(.badKeyring, keyID: id, "the key of '\(id)' is not standard base64 of \(Self.byteCount) bytes")
        }
        try self.init(id: id, bytes: bytes)
    }

    /// Throws `.badKeyring` when `id` is not a valid key id.
    private static func checkID(_ id: String) throws(BargeEncryptionError) {
        if let problem = problem(withID: id) { throw BargeEncryptionError(.badKeyring, "the key id \(problem)") }
    }

    /// What is wrong with `id` as a key id, without repeating it (it may be
    /// key material pasted in the wrong place); nil when it is valid.
    package static func problem(withID id: String) -> String? {
        let count = id.utf8.count
        guard count > 0 else { return "is empty" }
        guard count <= maximumIDLength else { return "has \(count) bytes; at most \(maximumIDLength) are allowed" }
        guard id.utf8.allSatisfy(isIDByte) else { return "contains a character outside A-Z a-z 0-9 . _ -" }
        return nil
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    public var description: String { "BargeEncryptionKey(id: \(id))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["id": id]) }
}

/// A `SymmetricKey`, which swift-crypto does not mark `Sendable`.
///
/// It is safe to share: the key is immutable once made (its storage is
/// copy-on-write and nothing here writes to it).
package struct SendableKey: @unchecked Sendable {
    package let key: SymmetricKey

    package init(_ key: SymmetricKey) {
        self.key = key
    }
}
