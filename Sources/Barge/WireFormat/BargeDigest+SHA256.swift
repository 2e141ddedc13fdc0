import Crypto

extension BargeDigest {
    /// The SHA-256 of `bytes`.
    static func sha256(of bytes: [UInt8]) -> BargeDigest {
        BargeDigest(finalizing: SHA256.hash(data: bytes))
    }

    /// The digest a finished hasher computed.
    init(finalizing digest: SHA256.Digest) {
        self.init(bytes: Array(digest))!
    }
}
