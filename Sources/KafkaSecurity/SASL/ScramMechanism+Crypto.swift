import Crypto

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
    /// one block of output, the digest length. Fewer than 1 iteration counts as 1.
    /// The time it takes grows with `iterations`: callers bound it first.
    func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        switch self {
        case .sha256: Self.hi(SHA256.self, password: password, salt: salt, iterations: iterations)
        case .sha512: Self.hi(SHA512.self, password: password, salt: salt, iterations: iterations)
        }
    }

    private static func hi<H: HashFunction>(_: H.Type, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        // The keyed HMAC is copied for each round so that the key is processed once.
        let keyed = HMAC<H>(key: SymmetricKey(data: password))
        var first = keyed
        first.update(data: salt)
        first.update(data: [0, 0, 0, 1])  // INT(1): the first and only block
        var block = Array(first.finalize())
        var result = block
        var round = 1
        while round < iterations {
            var mac = keyed
            mac.update(data: block)
            block = Array(mac.finalize())
            for index in result.indices {
                result[index] ^= block[index]
            }
            round += 1
        }
        return result
    }

    /// The keys RFC 5802 derives from a salted password: ClientKey, StoredKey = H(ClientKey)
    /// and ServerKey.
    func keys(saltedPassword: [UInt8]) -> (clientKey: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        let clientKey = hmac(key: saltedPassword, data: Array("Client Key".utf8))
        let serverKey = hmac(key: saltedPassword, data: Array("Server Key".utf8))
        return (clientKey, hash(clientKey), serverKey)
    }
}
