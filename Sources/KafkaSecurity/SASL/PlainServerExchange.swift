/// SASL/PLAIN (RFC 4616) on the broker, as Kafka's `PlainSaslServer` does it:
/// one client message, `authzid NUL authcid NUL passwd`, and one answer.
///
/// The authorization identity must be empty or the user name; the user name and
/// password must not be empty. Messages longer than 4096 bytes or not UTF-8
/// fail as malformed. Any message after the first fails. The client messages
/// are Kafka's and do not say whether the user exists.
public struct PlainServerExchange: Sendable {
    /// The longest message accepted, in bytes: 4 KiB, room for long names and passwords.
    static let maximumLength = 4096

    private let verify: @Sendable (String, String) -> Bool
    private var ended = false

    /// An exchange that asks `verify(username, password)` whether they match;
    /// the broker checks the stored SCRAM credential (`ScramCredential.matches(password:)`)
    /// or its configured users. It should take as long for unknown users as for wrong passwords.
    public init(verify: @escaping @Sendable (String, String) -> Bool) {
        self.verify = verify
    }

    /// Takes the client's message and answers `authenticated` (with an empty
    /// final message) or `failed`.
    public mutating func receive(_ clientMessage: [UInt8]) -> SaslServerStep {
        guard !ended else {
            return .failed(Self.failure(.unexpectedMessage, "Authentication failed: unexpected SASL/PLAIN message", "a client message after the exchange ended"))
        }
        ended = true
        guard clientMessage.count <= Self.maximumLength, let text = String(validating: clientMessage, as: UTF8.self) else {
            return .failed(Self.failure(.malformedMessage, "Invalid SASL/PLAIN response", "the message is longer than \(Self.maximumLength) bytes or not UTF-8"))
        }
        let tokens = text.split(separator: "\0", omittingEmptySubsequences: false)
        guard tokens.count == 3 else {
            let message = "Invalid SASL/PLAIN response: expected 3 tokens, got \(tokens.count)"
            return .failed(Self.failure(.malformedMessage, message, message))
        }
        let authorizationId = String(tokens[0])
        let username = String(tokens[1])
        let password = String(tokens[2])
        guard !username.isEmpty else {
            return .failed(Self.failure(.malformedMessage, "Authentication failed: username not specified", "no user name"))
        }
        guard !password.isEmpty else {
            return .failed(Self.failure(.malformedMessage, "Authentication failed: password not specified", "user \(username.debugDescription): no password"))
        }
        // Kafka checks this after the password; before it, the answer cannot tell a client that a guessed password is right.
        guard authorizationId.isEmpty || authorizationId.utf8.elementsEqual(username.utf8) else {
            return .failed(.authorizationIdMismatch("PLAIN", authorizationId: authorizationId, username: username))
        }
        guard verify(username, password) else {
            return .failed(Self.failure(.invalidCredentials, "Authentication failed: Invalid username or password", "user \(username.debugDescription): unknown user or wrong password"))
        }
        return .authenticated(username: username, finalMessage: [])
    }

    private static func failure(_ kind: SaslAuthenticationFailure.Kind, _ clientMessage: String, _ description: String) -> SaslAuthenticationFailure {
        SaslAuthenticationFailure(kind, clientMessage: clientMessage, description: "PLAIN: \(description)")
    }
}
