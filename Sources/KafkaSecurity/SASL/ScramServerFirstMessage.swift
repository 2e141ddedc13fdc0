/// RFC 5802's server-first-message: `r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>`.
struct ScramServerFirstMessage {
    /// The combined nonce: the client's, then the server's.
    let nonce: String
    /// The credential's salt.
    let salt: [UInt8]
    /// The credential's iteration count.
    let iterations: Int
    /// The message's text, exactly as sent or received: the AuthMessage includes it.
    let text: String

    /// The message a server sends.
    init(nonce: String, salt: [UInt8], iterations: Int) {
        self.nonce = nonce
        self.salt = salt
        self.iterations = iterations
        text = "r=\(nonce),s=\(SaslBase64.encode(salt)),i=\(iterations)"
    }

    /// Parses a server's first message on the client, which sent `clientNonce`.
    /// The iteration count must be in `iterationLimits`; extensions after it are ignored.
    init(parsing message: [UInt8], clientNonce: String, iterationLimits: ClosedRange<Int>) throws(SaslClientError) {
        func malformed(_ what: String) -> SaslClientError {
            SaslClientError(.malformedMessage, "Invalid SCRAM server first message: \(what)")
        }
        guard let text = ScramMessageText.decode(message) else {
            throw malformed("not UTF-8 text of 1 to \(ScramMessageText.maximumLength) bytes without NUL")
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let attributes = ScramAttribute.parse(parts), attributes.count >= 3 else {
            throw malformed("not r=, s= and i= attributes")
        }
        if attributes[0].name == "m" {
            throw SaslClientError(.unsupportedFeature, "The server sends the reserved mandatory extension m=")
        }
        guard attributes[0].name == "r", ScramNonce.isValid(attributes[0].value) else {
            throw malformed("no r=<nonce> of printable ASCII")
        }
        guard attributes[0].value.hasPrefix(clientNonce), attributes[0].value.count > clientNonce.count else {
            throw SaslClientError(.nonceMismatch, "Invalid server nonce: does not start with client nonce followed by the server's")
        }
        guard attributes[1].name == "s", let salt = SaslBase64.decode(attributes[1].value) else {
            throw malformed("no s=<base64 salt>")
        }
        let digits = attributes[2].value
        guard attributes[2].name == "i", digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw malformed("no i=<iteration count>")
        }
        // More than 18 digits could overflow Int: such a count is out of bounds anyway.
        guard digits.utf8.count <= 18, let iterations = Int(digits), iterationLimits.contains(iterations) else {
            throw SaslClientError(
                .iterationCount,
                "Requested iterations \(digits.prefix(20)) are not between \(iterationLimits.lowerBound) and \(iterationLimits.upperBound)"
            )
        }
        nonce = String(attributes[0].value)
        self.salt = salt
        self.iterations = iterations
        self.text = text
    }
}
