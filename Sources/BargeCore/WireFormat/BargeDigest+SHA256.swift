import Crypto

extension BargeDigest {
    /// The SHA-256 of `bytes`.
    package static func sha256(of bytes: [UInt8]) -> BargeDigest {
        BargeDigest(finalizing: SHA256.hash(data: bytes))
    }

    /// The digest a finished hasher computed.
    package init(finalizing digest: SHA256.Digest) {
        self.init(bytes: Array(digest))!
    }
}
