/// SCRAM nonces: printable ASCII other than ",".
enum ScramNonce {
    /// A new nonce from the system's secure random source: 24 random bytes in
    /// base64, 32 characters.
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return SaslBase64.encode((0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Whether `text` can be a nonce: not empty, every byte in 0x21...0x7E but ",".
    static func isValid<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ",") }
    }
}
