import NIOSSL

/// A listener as the running broker serves it: its security protocol, the
/// address clients are told (Metadata and FindCoordinator answer with the
/// advertised address of the listener a request came in on), and its TLS context.
struct ListenerEndpoint: Sendable {
    let listener: BrokerListener
    let securityProtocol: SecurityProtocol
    let advertisedHost: String
    let advertisedPort: Int32
    /// The server context of an SSL or SASL_SSL listener.
    let tls: NIOSSLContext?
}
