/// The client's side of one SCRAM login (RFC 5802), for Barge's own wire client:
/// `firstMessage()`, then `finalMessage(serverFirst:)` with the server's
/// challenge, then `verify(serverFinal:)` with the server's last message.
///
/// Like Kafka's Java client and librdkafka, it sends no authorization identity,
/// asks for no channel binding, and uses the password's UTF-8 bytes without SASLprep.
public struct ScramClientExchange: Sendable {
    /// The most iterations the client accepts from a server: 1,000,000. Kafka
    /// stores at most 16,384; a server asking for far more could stall the client.
    static let maximumIterations = 1_000_000

    private enum State: Sendable {
        case started
        case sentFinal(serverSignature: [UInt8])
    }

    private let mechanism: ScramMechanism
    private let password: String
    private let first: ScramClientFirstMessage
    private var state = State.started

    /// An exchange for `username` and `password`. `nonce` must be printable
    /// ASCII without ","; tests pass a fixed one.
    public init(mechanism: ScramMechanism, username: String, password: String, nonce: String = ScramClientExchange.randomNonce()) {
        precondition(ScramNonce.isValid(nonce), "a SCRAM nonce is printable ASCII without ','")
        self.mechanism = mechanism
        self.password = password
        first = ScramClientFirstMessage(username: username, nonce: nonce)
    }

    /// A new nonce from the system's secure random source (32 base64 characters).
    public static func randomNonce() -> String {
        ScramNonce.random()
    }

    /// The client's first message: `n,,n=<user name, "," and "=" escaped>,r=<nonce>`.
    public func firstMessage() -> [UInt8] {
        first.bytes
    }

    /// Checks the server's first message and returns the client's final one,
    /// `c=biws,r=<nonce>,p=<proof>`.
    ///
    /// Throws if the server's nonce does not start with the client's and add to
    /// it, if the salt is not base64, or if the iteration count is below
    /// `ScramMechanism.minimumIterations` or above 1,000,000. Salting the password
    /// takes time in proportion to the iteration count.
    public mutating func finalMessage(serverFirst: [UInt8]) throws(SaslClientError) -> [UInt8] {
        guard case .started = state else {
            throw SaslClientError(.outOfOrder, "The client's final message was already made")
        }
        let server = try ScramServerFirstMessage(
            parsing: serverFirst,
            clientNonce: first.nonce,
            iterationLimits: ScramMechanism.minimumIterations...Self.maximumIterations
        )
        let saltedPassword = mechanism.hi(password: Array(password.utf8), salt: server.salt, iterations: server.iterations)
        let keys = mechanism.keys(saltedPassword: saltedPassword)
        let withoutProof = ScramClientFinalMessage.withoutProof(gs2Header: first.gs2Header, nonce: server.nonce)
        let authMessage = Array("\(first.bare),\(server.text),\(withoutProof)".utf8)
        let clientSignature = mechanism.hmac(key: keys.storedKey, data: authMessage)
        let proof = zip(keys.clientKey, clientSignature).map { $0 ^ $1 }
        state = .sentFinal(serverSignature: mechanism.hmac(key: keys.serverKey, data: authMessage))
        return ScramClientFinalMessage.bytes(withoutProof: withoutProof, proof: proof)
    }

    /// Checks the server's final message: its `v=` must be the ServerSignature
    /// (compared in constant time). Throws if it is not, if the server sent
    /// `e=<error>` (kind `serverError`), or if the message is malformed.
    public func verify(serverFinal: [UInt8]) throws(SaslClientError) {
        guard case .sentFinal(let expected) = state else {
            throw SaslClientError(.outOfOrder, "The server's final message came before the client's final message")
        }
        switch try ScramServerFinalMessage(parsing: serverFinal) {
        case .error(let error):
            throw SaslClientError(
                .serverError,
                "Sasl authentication using \(mechanism.name) failed with error: \(error)",
                serverError: error
            )
        case .verifier(let signature):
            guard ConstantTime.equals(signature, expected) else {
                throw SaslClientError(.invalidServerSignature, "Invalid server signature in server final message")
            }
        }
    }
}
