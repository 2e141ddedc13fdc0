import KafkaProtocol
import KafkaSecurity
import Logging

/// Serves SaslHandshake (v0-1) and SaslAuthenticate (v0-2), the two requests
/// that change who a connection is: the mechanism is chosen, then the
/// client's messages go to its exchange until it has proved who it is. A
/// failed login answers SASL_AUTHENTICATION_FAILED after
/// `connection.failed.authentication.delay.ms` and closes the connection;
/// the answer never says whether the user exists.
struct SaslLogin: Sendable {
    let credentials: ScramCredentialStore
    let enabledMechanisms: [String]
    let failureDelay: Duration
    let logger: Logger

    /// What the connection does after a SASL request.
    struct Outcome<Response: Sendable>: Sendable {
        var response: Response
        /// Close the connection once the response is written.
        var close = false
    }

    /// `version` 0 means the mechanism's messages follow as bare size-prefixed
    /// frames rather than SaslAuthenticate requests (Kafka before 1.0).
    func handshake(_ request: SaslHandshakeRequest, version: Int16, session: inout ConnectionSession) -> Outcome<SaslHandshakeResponse> {
        var response = SaslHandshakeResponse()
        response.mechanisms = enabledMechanisms
        guard case .awaitingHandshake = session.login else {
            response.errorCode = KafkaErrorCode.illegalSaslState.code
            return Outcome(response: response, close: !session.isAuthenticated)
        }
        let name = request.mechanism.uppercased()
        guard enabledMechanisms.contains(name) else {
            response.errorCode = KafkaErrorCode.unsupportedSaslMechanism.code
            logger.warning("SASL mechanism refused", metadata: [
                "client": "\(session.clientAddress)", "mechanism": "\(request.mechanism.prefix(64))",
                "enabled": "\(enabledMechanisms.joined(separator: ","))",
            ])
            return Outcome(response: response, close: true)
        }
        session.bareTokens = version == 0
        if let mechanism = ScramMechanism(name: name) {
            let store = credentials
            session.login = .scram(ScramServerExchange(mechanism: mechanism) { user in store.credential(user: user, mechanism: mechanism) })
        } else {
            let store = credentials
            session.login = .plain(PlainServerExchange { user, password in store.verify(user: user, password: password) })
        }
        return Outcome(response: response)
    }

    /// What one SASL message leads to.
    enum Step: Sendable {
        /// Send these bytes (a challenge, or the final message of a successful login).
        case reply([UInt8])
        /// The login failed (after the delay): answer with this message and close.
        case failed(clientMessage: String)
        /// No login is in progress on this connection.
        case unexpected(String)
    }

    func authenticate(_ request: SaslAuthenticateRequest, session: inout ConnectionSession) async -> Outcome<SaslAuthenticateResponse> {
        var response = SaslAuthenticateResponse()
        switch await step(Array(request.authBytes.readableBytesView), session: &session) {
        case .reply(let bytes):
            response.authBytes.writeBytes(bytes)
            return Outcome(response: response)
        case .failed(let clientMessage):
            response.errorCode = KafkaErrorCode.saslAuthenticationFailed.code
            response.errorMessage = clientMessage
            return Outcome(response: response, close: true)
        case .unexpected(let reason):
            response.errorCode = KafkaErrorCode.illegalSaslState.code
            response.errorMessage = reason
            return Outcome(response: response, close: !session.isAuthenticated)
        }
    }

    /// Feeds one client message to the connection's exchange: from a
    /// SaslAuthenticate request, or a bare frame after a v0 handshake.
    func step(_ message: [UInt8], session: inout ConnectionSession) async -> Step {
        let step: SaslServerStep
        let mechanism: String
        switch session.login {
        case .scram(var exchange):
            step = exchange.receive(message)
            session.login = .scram(exchange)
            mechanism = "SCRAM"
        case .plain(var exchange):
            step = exchange.receive(message)
            session.login = .plain(exchange)
            mechanism = "PLAIN"
        case .notRequired, .awaitingHandshake, .authenticated:
            return .unexpected(
                "SaslAuthenticate is not expected now: \(session.isAuthenticated ? "the connection has logged in already" : "SaslHandshake comes first")")
        }
        switch step {
        case .challenge(let bytes):
            return .reply(bytes)
        case .authenticated(let user, let finalMessage):
            session.login = .authenticated
            session.principal = .user(user)
            session.gate.open()
            logger.debug("client logged in", metadata: ["client": "\(session.clientAddress)", "principal": "User:\(user)"])
            return .reply(finalMessage)
        case .failed(let failure):
            logger.warning("SASL login failed", metadata: [
                "client": "\(session.clientAddress)", "mechanism": "\(mechanism)", "reason": "\(failure.description)",
            ])
            try? await Task.sleep(for: failureDelay)
            return .failed(clientMessage: failure.clientMessage)
        }
    }
}
