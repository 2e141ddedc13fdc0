@testable import Barge
@testable import BargeCore
import Testing

/// Segmented AES-256-GCM: round trips, ranged reads, and every way a
/// ciphertext can be damaged.
@Suite struct EncryptionTests {
    private typealias S = EncryptionSamples
    private let segment = EncryptionSamples.segmentSize

    @Test(arguments: [0, 1, 4095, 4096, 4097, 3 * 4096, 3 * 4096 + 7])
    func roundTrip(size: Int) throws {
        let keyring = try S.keyring()
        let payload = S.bytes(size)
        for pieceSizes in [[], [1], [4096], [4097], [1000, 7, 9000]] {
            let (parameters, ciphertext) = try S.encrypt(payload, keyring: keyring, pieceSizes: pieceSizes)
            #expect(Int64(ciphertext.count) == BargeSegmentEncryptor.encryptedSize(plaintextSize: Int64(size), segmentSize: segment))
            #expect(try S.decrypt(ciphertext, parameters: parameters, keyring: keyring, pieceSizes: pieceSizes) == payload)
        }
    }

    @Test func severalMebibytesInRandomPieces() throws {
        let keyring = try S.keyring()
        var random = SplitMix64(seed: 9)
        let payload = S.bytes(5 * 1024 * 1024 + 123, seed: 2)
        let encryptPieces = (0..<40).map { _ in Int.random(in: 1...300_000, using: &random) }
        let decryptPieces = (0..<40).map { _ in Int.random(in: 1...200_000, using: &random) }
        let (parameters, ciphertext) = try S.encrypt(
            payload, keyring: keyring, segmentSize: BargeEncryptionParameters.defaultSegmentSize, pieceSizes: encryptPieces
        )
        #expect(parameters.segmentSize == 65536)
        #expect(try S.decrypt(ciphertext, parameters: parameters, keyring: keyring, pieceSizes: decryptPieces) == payload)
    }

    @Test func encryptedSizes() {
        #expect(BargeSegmentEncryptor.encryptedSize(plaintextSize: 0, segmentSize: 4096) == 16)
        #expect(BargeSegmentEncryptor.encryptedSize(plaintextSize: 1, segmentSize: 4096) == 17)
        #expect(BargeSegmentEncryptor.encryptedSize(plaintextSize: 4096, segmentSize: 4096) == 4112)
        #expect(BargeSegmentEncryptor.encryptedSize(plaintextSize: 4097, segmentSize: 4096) == 4129)
    }

    @Test func twoEncryptionsOfOnePayloadDiffer() throws {
        let keyring = try S.keyring()
        let payload = S.bytes(10_000)
        let first = try S.encrypt(payload, keyring: keyring)
        let second = try S.encrypt(payload, keyring: keyring)
        #expect(first.parameters.wrappedKey != second.parameters.wrappedKey)
        #expect(first.parameters.noncePrefix != second.parameters.noncePrefix)
        #expect(first.ciphertext != second.ciphertext)
        #expect(first.ciphertext.count == second.ciphertext.count)
    }

    @Test(arguments: [0, 1, 4096, 4 * 4096, 50_000])
    func rangedReadsMatchSlices(size: Int) throws {
        let keyring = try S.keyring()
        let payload = S.bytes(size, seed: 3)
        let (parameters, ciphertext) = try S.encrypt(payload, keyring: keyring)
        var random = SplitMix64(seed: UInt64(size))
        var ranges: [Range<Int>] = [0..<size, 0..<0, size..<size, 0..<min(size, 1), max(0, size - 1)..<size]
        for _ in 0..<150 {
            let lower = Int.random(in: 0...size, using: &random)
            ranges.append(lower..<Int.random(in: lower...size, using: &random))
        }
        for range in ranges {
            let plan = try BargeEncryptedRange.plan(plaintext: Int64(range.lowerBound)..<Int64(range.upperBound), plaintextSize: Int64(size), segmentSize: segment)
            #expect(plan.ciphertext.upperBound <= Int64(ciphertext.count))
            #expect(plan.keptByteCount == Int64(range.count))
            let fetched = Array(ciphertext[Int(plan.ciphertext.lowerBound)..<Int(plan.ciphertext.upperBound)])
            let pieces = [Int.random(in: 1...9000, using: &random)]
            let plaintext = try S.decrypt(fetched, parameters: parameters, keyring: keyring, range: plan, pieceSizes: pieces)
            #expect(plaintext == Array(payload[range]), "range \(range) of \(size)")
        }
    }

    @Test func rangePlanFetchesWholeSegments() throws {
        let plan = try BargeEncryptedRange.plan(plaintext: 5000..<9000, plaintextSize: 10_000, segmentSize: 4096)
        #expect(plan.firstSegment == 1)
        #expect(plan.ciphertext == 4112..<10_048)  // segments 1 and 2 (final, 1808 bytes)
        #expect(plan.droppedByteCount == 904)
        #expect(plan.keptByteCount == 4000)
        #expect(plan.includesFinalSegment)
        let middle = try BargeEncryptedRange.plan(plaintext: 4096..<8192, plaintextSize: 10_000, segmentSize: 4096)
        #expect(middle.ciphertext == 4112..<8224)
        #expect(!middle.includesFinalSegment)
    }

    @Test func rangePlansOutsideTheObjectFail() {
        #expect(S.error { _ = try BargeEncryptedRange.plan(plaintext: 0..<11, plaintextSize: 10, segmentSize: 4096) }?.kind == .invalidRange)
        #expect(S.error { _ = try BargeEncryptedRange.plan(plaintext: -1..<5, plaintextSize: 10, segmentSize: 4096) }?.kind == .invalidRange)
        #expect(S.error { _ = try BargeEncryptedRange.plan(plaintext: 0..<0, plaintextSize: -1, segmentSize: 4096) }?.kind == .invalidRange)
        #expect(S.error { _ = try BargeEncryptedRange.plan(plaintext: 0..<0, plaintextSize: 1 << 50, segmentSize: 4096) }?.kind == .invalidRange)
        #expect(S.error { _ = try BargeEncryptedRange.plan(plaintext: 0..<1, plaintextSize: 10, segmentSize: 0) }?.kind == .malformedParameters)
    }

    @Test func rangeOfAnotherSegmentSizeIsRefused() throws {
        let keyring = try S.keyring()
        let (parameters, _) = try S.encrypt([1, 2, 3], keyring: keyring)
        let plan = try BargeEncryptedRange.plan(plaintext: 0..<3, plaintextSize: 3, segmentSize: 8192)
        #expect(S.error { _ = try BargeSegmentDecryptor(parameters: parameters, keyring: keyring, range: plan) }?.kind == .invalidRange)
    }

    @Test func rangeWithMissingOrExtraBytesFails() throws {
        let keyring = try S.keyring()
        let (parameters, ciphertext) = try S.encrypt(S.bytes(20_000), keyring: keyring)
        let plan = try BargeEncryptedRange.plan(plaintext: 100..<9000, plaintextSize: 20_000, segmentSize: segment)
        let fetched = Array(ciphertext[Int(plan.ciphertext.lowerBound)..<Int(plan.ciphertext.upperBound)])
        #expect(S.error { _ = try S.decrypt(Array(fetched.dropLast()), parameters: parameters, keyring: keyring, range: plan) }?.kind == .truncated)
        #expect(S.error { _ = try S.decrypt(fetched + [0], parameters: parameters, keyring: keyring, range: plan) }?.kind == .trailingData)
    }

    @Test func aSizeThatUnderstatesTheObjectIsCaught() throws {
        let keyring = try S.keyring()
        let (parameters, ciphertext) = try S.encrypt(S.bytes(3 * 4096), keyring: keyring)
        // The plan believes segment 1 is final; it is not.
        let plan = try BargeEncryptedRange.plan(plaintext: 0..<8192, plaintextSize: 8192, segmentSize: segment)
        let fetched = Array(ciphertext[Int(plan.ciphertext.lowerBound)..<Int(plan.ciphertext.upperBound)])
        let error = S.error { _ = try S.decrypt(fetched, parameters: parameters, keyring: keyring, range: plan) }
        #expect(error?.kind == .truncated)
        #expect(error?.segment == 1)
    }

    @Test func memoryStaysWithinOneSegment() throws {
        let keyring = try S.keyring()
        let piece = S.bytes(1024 * 1024, seed: 4)
        var encryptor = try BargeSegmentEncryptor(keyring: keyring)
        var decryptor = try BargeSegmentDecryptor(parameters: encryptor.parameters, keyring: keyring)
        let segmentSize = encryptor.parameters.segmentSize
        var decrypted = 0
        for _ in 0..<64 {
            let ciphertext = try encryptor.encrypt(piece)
            #expect(encryptor.bufferedByteCount <= segmentSize)
            let plaintext = try decryptor.decrypt(ciphertext)
            #expect(decryptor.bufferedByteCount <= segmentSize + 16)
            decrypted += plaintext.count
        }
        decrypted += try decryptor.decrypt(try encryptor.finish()).count
        decrypted += try decryptor.finish().count
        #expect(decrypted == 64 * 1024 * 1024)
    }
}
