@testable import Barge
@testable import BargeCore
import Testing

/// Damaged ciphertexts and wrong keys: every one is a typed error, never
/// wrong plaintext.
@Suite struct EncryptionTamperingTests {
    private typealias S = EncryptionSamples
    private let unit = EncryptionSamples.segmentSize + 16

    /// A payload of three full segments and a partial final one.
    private func sample(size: Int = 3 * 4096 + 100) throws -> (BargeKeyring, BargeEncryptionParameters, [UInt8]) {
        let keyring = try S.keyring()
        let (parameters, ciphertext) = try S.encrypt(S.bytes(size), keyring: keyring)
        return (keyring, parameters, ciphertext)
    }

    private func decryptError(_ ciphertext: [UInt8], _ parameters: BargeEncryptionParameters, _ keyring: BargeKeyring) -> BargeEncryptionError? {
        S.error { _ = try S.decrypt(ciphertext, parameters: parameters, keyring: keyring, pieceSizes: [1500]) }
    }

    @Test func aFlippedBitInAnySegmentOrTagIsTampering() throws {
        let (keyring, parameters, ciphertext) = try sample()
        for segment in 0..<4 {
            let start = segment * unit
            let end = min(ciphertext.count, start + unit)
            for offset in [start, start + 100, end - 17, end - 16, end - 1] {
                var damaged = ciphertext
                damaged[offset] ^= 0x10
                let error = decryptError(damaged, parameters, keyring)
                #expect(error?.kind == .tampered, "byte \(offset)")
                #expect(error?.segment == Int64(segment))
            }
        }
    }

    @Test func droppingTheFinalSegmentIsTruncation() throws {
        let (keyring, parameters, ciphertext) = try sample()
        let error = decryptError(Array(ciphertext.prefix(3 * unit)), parameters, keyring)
        #expect(error?.kind == .truncated)
        #expect(error?.segment == 2)
        #expect(decryptError(Array(ciphertext.prefix(unit)), parameters, keyring)?.kind == .truncated)
        #expect(decryptError([], parameters, keyring)?.kind == .truncated)
    }

    @Test func droppingBytesFails() throws {
        let (keyring, parameters, ciphertext) = try sample()
        // Cut inside the final segment: its tag no longer matches.
        #expect(decryptError(Array(ciphertext.dropLast()), parameters, keyring)?.kind == .tampered)
        // Cut so short that no tag is left.
        let error = decryptError(Array(ciphertext.prefix(3 * unit + 5)), parameters, keyring)
        #expect(error?.kind == .truncated)
        #expect(error?.segment == 3)
        // A byte missing in the middle shifts every later segment.
        var missing = ciphertext
        missing.remove(at: unit + 10)
        #expect(decryptError(missing, parameters, keyring)?.kind == .tampered)
    }

    @Test func reorderedOrDuplicatedSegmentsAreTampering() throws {
        let (keyring, parameters, ciphertext) = try sample()
        let segments = stride(from: 0, to: ciphertext.count, by: unit).map { Array(ciphertext[$0..<min(ciphertext.count, $0 + unit)]) }
        let swapped = [segments[1], segments[0], segments[2], segments[3]].flatMap { $0 }
        #expect(decryptError(swapped, parameters, keyring)?.segment == 0)
        #expect(decryptError(swapped, parameters, keyring)?.kind == .tampered)
        let duplicated = [segments[0], segments[1], segments[1], segments[2], segments[3]].flatMap { $0 }
        let error = decryptError(duplicated, parameters, keyring)
        #expect(error?.kind == .tampered)
        #expect(error?.segment == 2)
        let finalMovedUp = [segments[0], segments[3]].flatMap { $0 }
        #expect(decryptError(finalMovedUp, parameters, keyring)?.kind == .tampered)
    }

    @Test func bytesAfterTheFinalSegmentFail() throws {
        let (keyring, parameters, ciphertext) = try sample(size: 3 * 4096)
        let error = decryptError(ciphertext + [0], parameters, keyring)
        #expect(error?.kind == .trailingData)
        #expect(error?.segment == 2)
        #expect(decryptError(ciphertext + ciphertext, parameters, keyring)?.kind == .trailingData)
        // After a partial final segment the extra bytes are read as part of it.
        let (_, partialParameters, partial) = try sample()
        #expect(decryptError(partial + [0, 0], partialParameters, keyring)?.kind == .tampered)
    }

    @Test func aDifferentKeyWithTheSameIDIsTheWrongKey() throws {
        let (_, parameters, ciphertext) = try sample()
        let impostor = try BargeKeyring([S.key("k1", fill: 9)])
        let error = decryptError(ciphertext, parameters, impostor)
        #expect(error?.kind == .wrongKey)
        #expect(error?.keyID == "k1")
    }

    @Test func anUnknownKeyIDIsReported() throws {
        let (_, parameters, ciphertext) = try sample()
        let error = decryptError(ciphertext, parameters, try BargeKeyring([S.key("other")]))
        #expect(error?.kind == .unknownKey)
        #expect(error?.keyID == "k1")
        #expect(error?.message.contains("other") == true)
    }

    @Test func anOldKeyStillDecrypts() throws {
        let old = try BargeKeyring([S.key("k0", fill: 3)])
        let payload = S.bytes(5000)
        let (parameters, ciphertext) = try S.encrypt(payload, keyring: old)
        #expect(parameters.keyID == "k0")
        #expect(try S.decrypt(ciphertext, parameters: parameters, keyring: try S.keyring()) == payload)
    }

    @Test func aCorruptedWrappedKeyIsTheWrongKey() throws {
        let (keyring, parameters, ciphertext) = try sample()
        for offset in [0, 11, 12, 43, 44, 59] {
            var wrapped = parameters.wrappedKey
            wrapped[offset] ^= 1
            let damaged = try BargeEncryptionParameters(
                keyID: parameters.keyID, wrappedKey: wrapped, noncePrefix: parameters.noncePrefix, segmentSize: parameters.segmentSize
            )
            #expect(decryptError(ciphertext, damaged, keyring)?.kind == .wrongKey, "byte \(offset)")
        }
    }

    @Test func aWrappedKeyMovedToAnotherKeyIDDoesNotUnwrap() throws {
        // Both keys equal: only the key id in the associated data tells them apart.
        let keyring = try BargeKeyring([S.key("a"), S.key("b")])
        let (parameters, ciphertext) = try S.encrypt([1, 2, 3], keyring: keyring)
        let moved = try BargeEncryptionParameters(
            keyID: "b", wrappedKey: parameters.wrappedKey, noncePrefix: parameters.noncePrefix, segmentSize: parameters.segmentSize
        )
        #expect(decryptError(ciphertext, moved, keyring)?.kind == .wrongKey)
    }

    @Test func changedNoncePrefixOrSegmentSizeIsTampering() throws {
        let (keyring, parameters, ciphertext) = try sample(size: 100)
        var prefix = parameters.noncePrefix
        prefix[6] ^= 1
        let otherPrefix = try BargeEncryptionParameters(
            keyID: parameters.keyID, wrappedKey: parameters.wrappedKey, noncePrefix: prefix, segmentSize: parameters.segmentSize
        )
        #expect(decryptError(ciphertext, otherPrefix, keyring)?.kind == .tampered)
        // One segment under either size: only the associated data tells them apart.
        let otherSize = try BargeEncryptionParameters(
            keyID: parameters.keyID, wrappedKey: parameters.wrappedKey, noncePrefix: parameters.noncePrefix, segmentSize: 8192
        )
        #expect(decryptError(ciphertext, otherSize, keyring)?.kind == .tampered)
    }
}
