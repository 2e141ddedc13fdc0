/// Who may connect and what they may do: SASL, the authorizer and the limits
/// on connections, by Kafka's names (and a few of Barge's own, marked so).
public struct SecurityConfig: Sendable, Equatable {
    /// `sasl.enabled.mechanisms`: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512.
    /// Default: SCRAM-SHA-256 and SCRAM-SHA-512 (PLAIN sends the password, so
    /// it is offered only when named, and belongs on SASL_SSL listeners).
    public var saslEnabledMechanisms: [String] = ["SCRAM-SHA-256", "SCRAM-SHA-512"]
    /// `authorizer.class.name`: set to Kafka's `org.apache.kafka.metadata.authorizer.StandardAuthorizer`
    /// (or `kafka.security.authorizer.AclAuthorizer`) to check ACLs. Default: none, everyone may do everything.
    public var authorizerEnabled = false
    /// `super.users`: principals allowed everything, `User:admin;User:ops`.
    public var superUsers: [String] = []
    /// `allow.everyone.if.no.acl.found`: whether a resource with no ACL is open to all. Default: false.
    public var allowEveryoneIfNoAclFound = false
    /// `connection.failed.authentication.delay.ms`: how long a failed login
    /// waits before its answer and the close, to slow guessing. Default: 100.
    public var failedAuthenticationDelayMs: Int64 = 100
    /// `sasl.server.max.receive.size`: the largest frame a client may send
    /// before it has authenticated. Default: 524288.
    public var maxReceiveSizeBeforeAuthentication = 524_288
    /// `connections.authentication.timeout.ms` (Barge's own): how long a new
    /// connection may take to finish its TLS handshake and SASL login (on a
    /// listener without SASL: its first request) before it is closed. Default: 10000.
    public var authenticationTimeoutMs: Int64 = 10_000
    /// `connections.max.idle.ms`: connections that send no request for this
    /// long are closed. Default: 600000.
    public var connectionsMaxIdleMs: Int64 = 600_000
    /// `max.connections`: connections the broker accepts at once; more are
    /// closed at once. Default: unbounded.
    public var maxConnections = Int(Int32.max)
    /// `max.connections.per.ip`: connections accepted from one address. Default: unbounded.
    public var maxConnectionsPerIp = Int(Int32.max)
    /// `max.connections.per.ip.overrides`: `host:count` pairs that replace it.
    public var maxConnectionsPerIpOverrides: [String: Int] = [:]

    public init() {}

    /// The mechanisms Barge implements.
    static let supportedMechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    typealias Setter = @Sendable (inout SecurityConfig, String, String) throws -> Void

    static let setters: [String: Setter] = [
        "sasl.enabled.mechanisms": { config, key, value in
            let mechanisms = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
            let unsupported = mechanisms.filter { !supportedMechanisms.contains($0) }
            guard unsupported.isEmpty else {
                throw BrokerConfigError("\(key): \(unsupported.joined(separator: ", ")) not supported; Barge offers \(supportedMechanisms.joined(separator: ", "))")
            }
            config.saslEnabledMechanisms = mechanisms
        },
        "sasl.mechanism.inter.broker.protocol": { _, _, _ in },
        "authorizer.class.name": { config, key, value in
            switch value {
            case "": config.authorizerEnabled = false
            case "org.apache.kafka.metadata.authorizer.StandardAuthorizer", "kafka.security.authorizer.AclAuthorizer":
                config.authorizerEnabled = true
            default:
                throw BrokerConfigError(
                    "\(key) must be org.apache.kafka.metadata.authorizer.StandardAuthorizer (Kafka's ACL semantics, kept in the data directory) or empty, not '\(value)'")
            }
        },
        "super.users": { config, key, value in
            let users = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for user in users where !user.contains(":") {
                throw BrokerConfigError("\(key) takes principals like User:admin separated by ';', not '\(user)'")
            }
            config.superUsers = users
        },
        "allow.everyone.if.no.acl.found": { config, key, value in config.allowEveryoneIfNoAclFound = try BrokerConfig.bool(key, value) },
        "connection.failed.authentication.delay.ms": { config, key, value in
            config.failedAuthenticationDelayMs = Int64(try BrokerConfig.int(key, value, min: 0, max: 60_000))
        },
        "sasl.server.max.receive.size": { config, key, value in
            config.maxReceiveSizeBeforeAuthentication = try BrokerConfig.int(key, value, min: 1024, max: 104_857_600)
        },
        "connections.authentication.timeout.ms": { config, key, value in
            config.authenticationTimeoutMs = Int64(try BrokerConfig.int(key, value, min: 100))
        },
        "connections.max.idle.ms": { config, key, value in config.connectionsMaxIdleMs = Int64(try BrokerConfig.int(key, value, min: 1)) },
        "connections.max.reauth.ms": { _, key, value in
            guard try BrokerConfig.int(key, value, min: 0) == 0 else {
                throw BrokerConfigError("\(key): re-authentication is not supported; connections log in once (0 is the only value)")
            }
        },
        "max.connections": { config, key, value in config.maxConnections = try BrokerConfig.int(key, value, min: 1) },
        "max.connections.per.ip": { config, key, value in config.maxConnectionsPerIp = try BrokerConfig.int(key, value, min: 1) },
        "max.connections.per.ip.overrides": { config, key, value in
            var overrides: [String: Int] = [:]
            for entry in value.split(separator: ",") {
                guard let colon = entry.lastIndex(of: ":"), let count = Int(entry[entry.index(after: colon)...]), count >= 0 else {
                    throw BrokerConfigError("\(key) takes host:count pairs, not '\(entry)'")
                }
                overrides[entry[..<colon].trimmingCharacters(in: .whitespaces)] = count
            }
            config.maxConnectionsPerIpOverrides = overrides
        },
    ]

    /// The connections allowed from `host`.
    func connectionLimit(forHost host: String) -> Int {
        maxConnectionsPerIpOverrides[host] ?? maxConnectionsPerIp
    }

    /// Checks that SASL listeners have a mechanism.
    func validate(listeners: [BrokerListener], protocols: [String: SecurityProtocol]) throws {
        if listeners.contains(where: { protocols[$0.name]?.usesSASL == true }) && saslEnabledMechanisms.isEmpty {
            throw BrokerConfigError("a SASL listener needs sasl.enabled.mechanisms (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)")
        }
    }
}
