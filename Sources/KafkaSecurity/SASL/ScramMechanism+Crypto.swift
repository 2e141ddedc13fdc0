import Crypto
import _CryptoExtras

/// The mechanism's hash functions: RFC 5802's H, HMAC and Hi.
extension ScramMechanism {
    /// The length in bytes of the hash, and so of every key, proof and signature.
    var digestLength: Int {
        switch self {
        case .sha256: SHA256.byteCount
        case .sha512: SHA512.byteCount
        }
    }

    /// SaltedPassword = Hi(password, salt, iterations): what a client sends in
    /// AlterUserScramCredentials, so that the password never travels. The time
    /// it takes grows with `iterations`.
    public func saltedPassword(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        hi(password: Array(password.utf8), salt: salt, iterations: iterations)
    }

    /// H(data).
    func hash(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(SHA256.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        }
    }

    /// HMAC(key, data).
    func hmac(key: [UInt8], data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: Array(HMAC<SHA256>.authenticationCode(for: data, using: SymmetricKey(data: key)))
        case .sha512: Array(HMAC<SHA512>.authenticationCode(for: data, using: SymmetricKey(data: key)))
        }
    }

    /// Hi(password, salt, iterations): PBKDF2 with this mechanism's HMAC and
    /// one block of output, the digest length (BoringSSL's PBKDF2: fast
    /// also in debug builds, where a Swift loop over HMAC takes a second).
    /// Fewer than 1 iteration counts as 1. The time it takes grows with
    /// `iterations`: callers bound it first.
    func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        let function: KDF.Insecure.PBKDF2.HashFunction = self == .sha256 ? .sha256 : .sha512
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: password, salt: salt, using: function, outputByteCount: digestLength, unsafeUncheckedRounds: max(1, iterations))
            return key.withUnsafeBytes { Array($0) }
        } catch {
            preconditionFailure("PBKDF2 refused its parameters (\(digestLength) bytes, \(iterations) rounds): \(error)")
        }
    }

    /// The keys RFC 5802 derives from a salted password: ClientKey, StoredKey = H(ClientKey)
    /// and ServerKey.
    func keys(saltedPassword: [UInt8]) -> (clientKey: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        let clientKey = hmac(key: saltedPassword, data: Array("Client Key".utf8))
        let serverKey = hmac(key: saltedPassword, data: Array("Server Key".utf8))
        return (clientKey, hash(clientKey), serverKey)
    }
}
