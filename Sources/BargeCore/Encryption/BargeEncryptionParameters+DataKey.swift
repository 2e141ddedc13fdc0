import Crypto
import Foundation

/// The data key: 32 random bytes per object, wrapped with AES-256-GCM under
/// a key-encryption key, with a random 12-byte nonce and the associated data
/// `barge-dek-v1` ‖ key id, so that a wrapped key only unwraps under the id
/// it names.
extension BargeEncryptionParameters {
    /// The start of the associated data of a wrapped key.
    package static let wrappingContext = Array("barge-dek-v1".utf8)

    /// New parameters for one object: a random data key wrapped under `key`,
    /// and a random nonce prefix; with the data key itself.
    package static func generate(wrappingWith key: BargeEncryptionKey, segmentSize: Int) throws(BargeEncryptionError) -> (BargeEncryptionParameters, SendableKey) {
        try checkSegmentSize(segmentSize)
        let dataKey = SymmetricKey(size: .bits256)
        let nonce = randomBytes(SegmentCipher.nonceByteCount)
        let sealed = SegmentCipher.infallible {
            try dataKey.withUnsafeBytes { keyBytes in
                try AES.GCM.seal(keyBytes, using: key.material.key, nonce: AES.GCM.Nonce(data: nonce), authenticating: wrappingContext + Array(key.id.utf8))
            }
        }
        let parameters = try BargeEncryptionParameters(
            keyID: key.id,
            wrappedKey: nonce + sealed.ciphertext + sealed.tag,
            noncePrefix: randomBytes(noncePrefixByteCount),
            segmentSize: segmentSize
        )
        return (parameters, SendableKey(dataKey))
    }

    /// The data key, unwrapped with the key of ``keyID`` in `keyring`.
    package func unwrapDataKey(with keyring: BargeKeyring) throws(BargeEncryptionError) -> SendableKey {
        guard let key = keyring.key(id: keyID) else {
            throw BargeEncryptionError(.unknownKey, keyID: keyID, "the keyring has no key '\(keyID)' (it has \(keyring.keyIDs.joined(separator: ", ")))")
        }
        let nonceEnd = SegmentCipher.nonceByteCount
        let tagStart = wrappedKey.count - SegmentCipher.tagByteCount
        do {
            let box = try AES.GCM.SealedBox(
                nonce: AES.GCM.Nonce(data: wrappedKey[..<nonceEnd]),
                ciphertext: wrappedKey[nonceEnd..<tagStart],
                tag: wrappedKey[tagStart...]
            )
            let dataKey = try AES.GCM.open(box, using: key.material.key, authenticating: Self.wrappingContext + Array(keyID.utf8))
            return SendableKey(SymmetricKey(data: dataKey))
        } catch {
            throw BargeEncryptionError(
                .wrongKey, keyID: keyID,
                "key '\(keyID)' does not unwrap the data key: the keyring's key of that id is another key, or the wrapped key was changed"
            )
        }
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
