/// RFC 5802's client-final-message: `c=<base64 GS2 header>,r=<nonce>`, any
/// extensions, then `p=<base64 proof>`.
struct ScramClientFinalMessage {
    /// What `c=` decodes to: the GS2 header of the client's first message.
    let channelBinding: [UInt8]
    /// The combined nonce.
    let nonce: String
    /// The client's proof: ClientKey XOR ClientSignature.
    let proof: [UInt8]
    /// The message up to the comma before `p=`, as the AuthMessage needs it.
    let withoutProof: String

    /// What a client sends before `,p=`: its GS2 header and the combined nonce.
    static func withoutProof(gs2Header: String, nonce: String) -> String {
        "c=\(SaslBase64.encode(Array(gs2Header.utf8))),r=\(nonce)"
    }

    /// The message a client sends: `withoutProof`, then the proof.
    static func bytes(withoutProof: String, proof: [UInt8]) -> [UInt8] {
        Array("\(withoutProof),p=\(SaslBase64.encode(proof))".utf8)
    }

    /// Parses a client's final message; the proof must be as long as `mechanism`'s digest.
    init(parsing message: [UInt8], mechanism: ScramMechanism) throws(SaslAuthenticationFailure) {
        func malformed(_ what: String) -> SaslAuthenticationFailure {
            .scram(.malformedMessage, mechanism, "malformed client-final message: \(what)")
        }
        guard let text = ScramMessageText.decode(message) else {
            throw malformed("not UTF-8 text of 1 to \(ScramMessageText.maximumLength) bytes without NUL")
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let attributes = ScramAttribute.parse(parts), attributes.count >= 3, let last = attributes.last else {
            throw malformed("not c=, r= and p= attributes")
        }
        guard attributes[0].name == "c", let channelBinding = SaslBase64.decode(attributes[0].value) else {
            throw malformed("no c=<base64 channel binding>")
        }
        guard attributes[1].name == "r", ScramNonce.isValid(attributes[1].value) else {
            throw malformed("no r=<nonce> of printable ASCII after c=")
        }
        guard last.name == "p", let proof = SaslBase64.decode(last.value), proof.count == mechanism.digestLength else {
            throw malformed("the last attribute is not p=<base64 proof of \(mechanism.digestLength) bytes>")
        }
        self.channelBinding = channelBinding
        nonce = String(attributes[1].value)
        self.proof = proof
        withoutProof = String(text[..<text.index(before: last.name.startIndex)])
    }
}
