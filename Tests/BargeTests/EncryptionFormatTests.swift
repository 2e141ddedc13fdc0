@testable import Barge
@testable import BargeCore
import Crypto
import Foundation
import Testing

/// The format as docs/encryption.md writes it, checked with AES-GCM alone:
/// a reader built from the documentation opens what Barge writes.
@Suite struct EncryptionFormatTests {
    @Test func segmentsOpenWithTheDocumentedNoncesAndAssociatedData() throws {
        let kek = Array(repeating: UInt8(7), count: 32)
        let keyring = try BargeKeyring([BargeEncryptionKey(id: "k1", bytes: kek)])
        let payload = EncryptionSamples.bytes(4096 + 10)
        let (parameters, ciphertext) = try EncryptionSamples.encrypt(payload, keyring: keyring)
        #expect(ciphertext.count == 4096 + 10 + 2 * 16)

        let wrapped = parameters.wrappedKey
        let dataKey = try AES.GCM.open(
            AES.GCM.SealedBox(combined: wrapped),
            using: SymmetricKey(data: kek),
            authenticating: Array("barge-dek-v1k1".utf8)
        )
        #expect(dataKey.count == 32)

        let associatedData = Array("aes-256-gcm-segmented-v1".utf8) + [0, 0, 0x10, 0]
        func open(_ segment: ArraySlice<UInt8>, index: UInt8, final: UInt8) throws -> [UInt8] {
            let nonce = try AES.GCM.Nonce(data: parameters.noncePrefix + [0, 0, 0, index, final])
            let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: segment.dropLast(16), tag: segment.suffix(16))
            return [UInt8](try AES.GCM.open(box, using: SymmetricKey(data: dataKey), authenticating: associatedData))
        }
        #expect(try open(ciphertext[0..<4112], index: 0, final: 0) == Array(payload[0..<4096]))
        #expect(try open(ciphertext[4112...], index: 1, final: 1) == Array(payload[4096...]))
    }
}
