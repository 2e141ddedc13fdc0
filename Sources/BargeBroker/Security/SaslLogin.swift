import KafkaProtocol
import KafkaSecurity
import Logging

/// Serves SaslHandshake (v1) and SaslAuthenticate (v0-2), the two requests
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

    func handshake(_ request: SaslHandshakeRequest, session: inout ConnectionSession) -> Outcome<SaslHandshakeResponse> {
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
        if let mechanism = ScramMechanism(name: name) {
            let store = credentials
            session.login = .scram(ScramServerExchange(mechanism: mechanism) { user in store.credential(user: user, mechanism: mechanism) })
        } else {
            let store = credentials
            session.login = .plain(PlainServerExchange { user, password in store.verify(user: user, password: password) })
        }
        return Outcome(response: response)
    }

    func authenticate(_ request: SaslAuthenticateRequest, session: inout ConnectionSession) async -> Outcome<SaslAuthenticateResponse> {
        var response = SaslAuthenticateResponse()
        let message = Array(request.authBytes.readableBytesView)
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
            response.errorCode = KafkaErrorCode.illegalSaslState.code
            response.errorMessage = "SaslAuthenticate is not expected now: \(session.isAuthenticated ? "the connection has logged in already" : "SaslHandshake comes first")"
            return Outcome(response: response, close: !session.isAuthenticated)
        }
        switch step {
        case .challenge(let bytes):
            response.authBytes.writeBytes(bytes)
            return Outcome(response: response)
        case .authenticated(let user, let finalMessage):
            session.login = .authenticated
            session.principal = .user(user)
            session.gate.open()
            response.authBytes.writeBytes(finalMessage)
            logger.debug("client logged in", metadata: ["client": "\(session.clientAddress)", "principal": "User:\(user)"])
            return Outcome(response: response)
        case .failed(let failure):
            logger.warning("SASL login failed", metadata: [
                "client": "\(session.clientAddress)", "mechanism": "\(mechanism)", "reason": "\(failure.description)",
            ])
            try? await Task.sleep(for: failureDelay)
            response.errorCode = KafkaErrorCode.saslAuthenticationFailed.code
            response.errorMessage = failure.clientMessage
            return Outcome(response: response, close: true)
        }
    }
}
