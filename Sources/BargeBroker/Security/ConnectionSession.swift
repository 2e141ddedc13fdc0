import KafkaSecurity

/// What one connection knows about its client: the listener it came in on,
/// its address, and who it is once known (`User:ANONYMOUS` on a listener
/// without SASL or client certificates; the SASL user or the certificate's
/// subject otherwise).
struct ConnectionSession: Sendable {
    /// Where a SASL login stands.
    enum Login: Sendable {
        /// The listener has no SASL.
        case notRequired
        /// Waiting for SaslHandshake.
        case awaitingHandshake
        /// Mechanism chosen; SaslAuthenticate messages go to this exchange.
        case scram(ScramServerExchange)
        case plain(PlainServerExchange)
        /// Logged in.
        case authenticated
    }

    let endpoint: ListenerEndpoint
    /// The client's IP address, as ACLs name hosts (`127.0.0.1`).
    let clientAddress: String
    /// Opens once logged in (and for listeners without SASL at the first request).
    let gate: AuthenticationGate
    var login: Login
    /// Who the client is; nil until known.
    var principal: KafkaPrincipal?

    init(endpoint: ListenerEndpoint, clientAddress: String, gate: AuthenticationGate) {
        self.endpoint = endpoint
        self.clientAddress = clientAddress
        self.gate = gate
        login = endpoint.securityProtocol.usesSASL ? .awaitingHandshake : .notRequired
    }

    /// Whether requests other than ApiVersions and the SASL ones may be served.
    var isAuthenticated: Bool {
        switch login {
        case .notRequired, .authenticated: true
        case .awaitingHandshake, .scram, .plain: false
        }
    }
}
