/// The key-encryption keys a client knows, by id, and the one that wraps
/// the data keys of new objects (the current key).
///
/// Readers keep old keys in the keyring while objects wrapped with them may
/// still be read; writers use the current key only. Rotating a key means
/// adding a new key as current and keeping the old one as a reader's key.
public struct BargeKeyring: Sendable, CustomStringConvertible {
    /// The key that wraps the data keys of new objects.
    public let current: BargeEncryptionKey
    /// The ids of all keys, the current key's first.
    public let keyIDs: [String]
    private let keys: [String: BargeEncryptionKey]

    /// A keyring of `keys`, the first of which is current; ids must be unique.
    public init(_ keys: [BargeEncryptionKey]) throws(BargeEncryptionError) {
        guard let current = keys.first else { throw BargeEncryptionError(.badKeyring, "the keyring has no keys") }
        var byID: [String: BargeEncryptionKey] = [:]
        for key in keys {
            guard byID.updateValue(key, forKey: key.id) == nil else {
                throw BargeEncryptionError(.badKeyring, keyID: key.id, "key id '\(key.id)' appears twice")
            }
        }
        self.current = current
        self.keyIDs = keys.map(\.id)
        self.keys = byID
    }

    /// The key named `id`, if the keyring has it.
    public func key(id: String) -> BargeEncryptionKey? {
        keys[id]
    }

    public var description: String { "BargeKeyring(current: \(current.id), keys: \(keyIDs.joined(separator: ", ")))" }
}
