/// The broker's TLS settings for its SSL and SASL_SSL listeners, by Kafka's
/// names, with PEM files (`ssl.keystore.type=PEM`, the only type supported).
public struct TLSConfig: Sendable, Equatable {
    /// Whether and how clients present certificates: Kafka's `ssl.client.auth`.
    public enum ClientAuthentication: String, Sendable, Equatable {
        /// No client certificate is asked for.
        case none
        /// Asked for; a client without one is served, one with a bad one is refused.
        case requested
        /// Required and checked against the trust store.
        case required
    }

    /// `ssl.keystore.location`: a PEM file with the private key and the
    /// certificate chain (leaf first).
    public var keystoreLocation: String?
    /// `ssl.keystore.certificate.chain`: the certificate chain as PEM text, instead of a file.
    public var keystoreCertificateChain: String?
    /// `ssl.keystore.key`: the private key as PEM text, instead of a file.
    public var keystoreKey: String?
    /// `ssl.key.password`: the password of an encrypted private key.
    public var keyPassword: String?
    /// `ssl.truststore.location`: a PEM bundle of the CAs client certificates must chain to.
    public var truststoreLocation: String?
    /// `ssl.truststore.certificates`: the same as PEM text.
    public var truststoreCertificates: String?
    /// `ssl.client.auth`. Default: none.
    public var clientAuthentication: ClientAuthentication = .none
    /// `ssl.enabled.protocols`: TLSv1.2 and TLSv1.3 (older ones are refused). Default: both.
    public var enabledProtocols: [String] = ["TLSv1.2", "TLSv1.3"]

    public init() {}

    /// Whether a key and certificate were given.
    var hasKeystore: Bool { keystoreLocation != nil || (keystoreCertificateChain != nil && keystoreKey != nil) }

    /// Whether a trust store was given.
    var hasTruststore: Bool { truststoreLocation != nil || truststoreCertificates != nil }

    typealias Setter = @Sendable (inout TLSConfig, String, String) throws -> Void

    static let setters: [String: Setter] = [
        "ssl.keystore.location": { config, _, value in config.keystoreLocation = value },
        "ssl.keystore.certificate.chain": { config, _, value in config.keystoreCertificateChain = value },
        "ssl.keystore.key": { config, _, value in config.keystoreKey = value },
        "ssl.key.password": { config, _, value in config.keyPassword = value },
        "ssl.truststore.location": { config, _, value in config.truststoreLocation = value },
        "ssl.truststore.certificates": { config, _, value in config.truststoreCertificates = value },
        "ssl.keystore.type": { _, key, value in try requirePEM(key, value) },
        "ssl.truststore.type": { _, key, value in try requirePEM(key, value) },
        "ssl.client.auth": { config, key, value in
            guard let mode = ClientAuthentication(rawValue: value.lowercased()) else {
                throw BrokerConfigError("\(key) must be none, requested or required, not '\(value)'")
            }
            config.clientAuthentication = mode
        },
        "ssl.enabled.protocols": { config, key, value in
            let protocols = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let unsupported = protocols.filter { !["TLSv1.2", "TLSv1.3"].contains($0) }
            guard !protocols.isEmpty, unsupported.isEmpty else {
                throw BrokerConfigError("\(key) may list TLSv1.2 and TLSv1.3 only, not '\(value)'")
            }
            config.enabledProtocols = protocols
        },
        "ssl.protocol": { _, key, value in
            guard ["TLS", "TLSv1.2", "TLSv1.3"].contains(value) else {
                throw BrokerConfigError("\(key) must be TLS, TLSv1.2 or TLSv1.3, not '\(value)'")
            }
        },
        "ssl.principal.mapping.rules": { _, key, value in
            guard value == "DEFAULT" else {
                throw BrokerConfigError("\(key): only DEFAULT is supported (the principal is the certificate's full subject name)")
            }
        },
    ]

    private static func requirePEM(_ key: String, _ value: String) throws {
        guard value.uppercased() == "PEM" else {
            throw BrokerConfigError("\(key) must be PEM: Barge reads keys and certificates from PEM files (convert a JKS or PKCS12 store with keytool or openssl)")
        }
    }

    /// Checks that TLS listeners have what they need.
    func validate(listeners: [BrokerListener], protocols: [String: SecurityProtocol]) throws {
        let tlsListeners = listeners.filter { protocols[$0.name]?.usesTLS == true }
        guard !tlsListeners.isEmpty else { return }
        guard hasKeystore else {
            throw BrokerConfigError(
                "listener \(tlsListeners[0].name) uses TLS but no key and certificate were given: set ssl.keystore.location (a PEM file with both) or ssl.keystore.certificate.chain and ssl.keystore.key")
        }
        if clientAuthentication != .none && !hasTruststore {
            throw BrokerConfigError("ssl.client.auth=\(clientAuthentication.rawValue) needs ssl.truststore.location, the CAs client certificates chain to")
        }
    }
}
