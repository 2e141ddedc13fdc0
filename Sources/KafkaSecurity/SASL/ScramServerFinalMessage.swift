/// RFC 5802's server-final-message: `v=<base64 ServerSignature>` or `e=<error>`.
enum ScramServerFinalMessage {
    /// The server's signature, which proves that it knows the credential.
    case verifier([UInt8])
    /// The server's refusal, such as "invalid-proof".
    case error(String)

    /// The message's bytes.
    var bytes: [UInt8] {
        switch self {
        case .verifier(let signature): Array("v=\(SaslBase64.encode(signature))".utf8)
        case .error(let error): Array("e=\(error)".utf8)
        }
    }

    /// Parses a server's final message on the client. Extensions after the
    /// first attribute are ignored.
    init(parsing message: [UInt8]) throws(SaslClientError) {
        guard let text = ScramMessageText.decode(message),
              let attributes = ScramAttribute.parse(text.split(separator: ",", omittingEmptySubsequences: false))
        else {
            throw SaslClientError(.malformedMessage, "Invalid SCRAM server final message: not attributes of 1 to \(ScramMessageText.maximumLength) bytes")
        }
        switch attributes[0].name {
        case "e":
            self = .error(String(attributes[0].value))
        case "v":
            guard let signature = SaslBase64.decode(attributes[0].value) else {
                throw SaslClientError(.malformedMessage, "Invalid SCRAM server final message: v= is not base64")
            }
            self = .verifier(signature)
        default:
            throw SaslClientError(.malformedMessage, "Invalid SCRAM server final message: neither v= nor e=")
        }
    }
}
