/// RFC 5802's client-first-message: a GS2 header, then `n=<saslname>,r=<nonce>`
/// and any extensions (the client-first-message-bare).
struct ScramClientFirstMessage {
    /// The GS2 header with its trailing comma: "n,,", "y,," or "n,a=<saslname>,".
    /// The client repeats it, in base64, in its final message's `c=`.
    let gs2Header: String
    /// The authorization identity of the header's `a=`, unescaped; nil if there is none.
    let authorizationId: String?
    /// The user name, unescaped.
    let username: String
    /// The client's nonce.
    let nonce: String
    /// Everything after the GS2 header, as the AuthMessage needs it.
    let bare: String

    /// The message a client sends: no channel binding, no authorization identity.
    init(username: String, nonce: String) {
        gs2Header = "n,,"
        authorizationId = nil
        self.username = username
        self.nonce = nonce
        bare = "n=\(SaslName.escape(username)),r=\(nonce)"
    }

    /// The message's bytes.
    var bytes: [UInt8] { Array((gs2Header + bare).utf8) }

    /// Parses a client's first message. Extensions other than `tokenauth` are ignored.
    init(parsing message: [UInt8], mechanism: ScramMechanism) throws(SaslAuthenticationFailure) {
        func malformed(_ what: String) -> SaslAuthenticationFailure {
            .scram(.malformedMessage, mechanism, "malformed client-first message: \(what)")
        }
        guard let text = ScramMessageText.decode(message) else {
            throw malformed("not UTF-8 text of 1 to \(ScramMessageText.maximumLength) bytes without NUL")
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 4 else { throw malformed("fewer than four comma-separated parts") }

        switch parts[0] {
        case "n", "y":
            break
        case let flag where flag.hasPrefix("p="):
            throw .scram(.unsupportedFeature, mechanism, "the client asks for channel binding \(String(flag).debugDescription)")
        default:
            throw malformed("GS2 channel-binding flag is not n, y or p=")
        }
        if parts[1].isEmpty {
            authorizationId = nil
        } else {
            guard parts[1].hasPrefix("a="), let id = SaslName.unescape(parts[1].dropFirst(2)) else {
                throw malformed("authorization identity is not a=<saslname>")
            }
            authorizationId = id
        }
        gs2Header = "\(parts[0]),\(parts[1]),"
        bare = parts[2...].joined(separator: ",")

        guard let attributes = ScramAttribute.parse(parts[2...]) else {
            throw malformed("a part is not an attribute")
        }
        if attributes[0].name == "m" {
            throw .scram(.unsupportedFeature, mechanism, "the client sends the reserved mandatory extension m=")
        }
        guard attributes[0].name == "n", let username = SaslName.unescape(attributes[0].value) else {
            throw malformed("no n=<saslname> after the GS2 header")
        }
        guard attributes[1].name == "r", ScramNonce.isValid(attributes[1].value) else {
            throw malformed("no r=<nonce> of printable ASCII after n=")
        }
        for extensionAttribute in attributes.dropFirst(2)
        where extensionAttribute.name == "tokenauth" && extensionAttribute.value.lowercased() == "true" {
            throw .scram(.unsupportedFeature, mechanism, "user \(username.debugDescription) asks for delegation-token authentication (tokenauth=true)")
        }
        self.username = username
        nonce = String(attributes[1].value)
    }
}
