@testable import Barge
@testable import BargeCore

/// Keys, payloads and stream helpers for the encryption tests.
enum EncryptionSamples {
    /// The smallest segment size, so that tests cross many segments cheaply.
    static let segmentSize = 4096

    /// A key of `fill` bytes named `id`.
    static func key(_ id: String, fill: UInt8 = 7) throws -> BargeEncryptionKey {
        try BargeEncryptionKey(id: id, bytes: Array(repeating: fill, count: 32))
    }

    /// A keyring holding `key("k1")` (current) and `key("k0", fill: 3)`.
    static func keyring() throws -> BargeKeyring {
        try BargeKeyring([key("k1"), key("k0", fill: 3)])
    }

    /// Deterministic bytes (SplitMix64).
    static func bytes(_ count: Int, seed: UInt64 = 1) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }

    /// `payload` encrypted under `keyring`'s current key, fed in pieces of
    /// `pieceSizes` (cycled; the whole payload at once when empty).
    static func encrypt(
        _ payload: [UInt8], keyring: BargeKeyring, segmentSize: Int = segmentSize, pieceSizes: [Int] = []
    ) throws -> (parameters: BargeEncryptionParameters, ciphertext: [UInt8]) {
        var encryptor = try BargeSegmentEncryptor(keyring: keyring, segmentSize: segmentSize)
        var ciphertext: [UInt8] = []
        for piece in pieces(payload, sizes: pieceSizes) { ciphertext += try encryptor.encrypt(piece) }
        ciphertext += try encryptor.finish()
        return (encryptor.parameters, ciphertext)
    }

    /// `ciphertext` decrypted (whole, or the planned `range` of it) in pieces of `pieceSizes`.
    static func decrypt(
        _ ciphertext: [UInt8], parameters: BargeEncryptionParameters, keyring: BargeKeyring,
        range: BargeEncryptedRange? = nil, pieceSizes: [Int] = []
    ) throws(BargeEncryptionError) -> [UInt8] {
        var decryptor = if let range {
            try BargeSegmentDecryptor(parameters: parameters, keyring: keyring, range: range)
        } else {
            try BargeSegmentDecryptor(parameters: parameters, keyring: keyring)
        }
        var plaintext: [UInt8] = []
        for piece in pieces(ciphertext, sizes: pieceSizes) { plaintext += try decryptor.decrypt(piece) }
        plaintext += try decryptor.finish()
        return plaintext
    }

    /// `bytes` cut into pieces of `sizes`, cycled.
    static func pieces(_ bytes: [UInt8], sizes: [Int]) -> [[UInt8]] {
        guard !sizes.isEmpty else { return [bytes] }
        var result: [[UInt8]] = []
        var start = 0
        var next = 0
        while start < bytes.count {
            let end = min(bytes.count, start + sizes[next % sizes.count])
            result.append(Array(bytes[start..<end]))
            start = end
            next += 1
        }
        return result
    }

    /// The encryption error `body` throws; nil when it throws nothing (or another error).
    static func error(_ body: () throws -> Void) -> BargeEncryptionError? {
        do {
            try body()
            return nil
        } catch {
            return error as? BargeEncryptionError
        }
    }
}

/// SplitMix64: deterministic pseudo-random numbers for reproducible tests.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
