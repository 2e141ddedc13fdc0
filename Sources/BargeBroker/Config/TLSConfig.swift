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
    /// `ssl.client.auth`, for SSL listeners. Default: none. As in Kafka
    /// (KIP-684), SASL_SSL listeners do not ask for client certificates unless
    /// their own `listener.name.<name>.ssl.client.auth` says so.
    public var clientAuthentication: ClientAuthentication = .none
    /// `listener.name.<name>.ssl.client.auth`: a listener's own setting, by listener name (upper case).
    public var clientAuthenticationByListener: [String: ClientAuthentication] = [:]
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
        "ssl.client.auth": { config, key, value in config.clientAuthentication = try clientAuthentication(key, value) },
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

    static func clientAuthentication(_ key: String, _ value: String) throws -> ClientAuthentication {
        guard let mode = ClientAuthentication(rawValue: value.lowercased()) else {
            throw BrokerConfigError("\(key) must be none, requested or required, not '\(value)'")
        }
        return mode
    }

    /// Applies `listener.name.<name>.ssl.client.auth`; false for any other key.
    mutating func applyListenerSetting(_ key: String, _ value: String) throws -> Bool {
        let prefix = "listener.name.", suffix = ".ssl.client.auth"
        guard key.hasPrefix(prefix), key.hasSuffix(suffix), key.count > prefix.count + suffix.count else { return false }
        let name = key.dropFirst(prefix.count).dropLast(suffix.count).uppercased()
        clientAuthenticationByListener[name] = try Self.clientAuthentication(key, value)
        return true
    }

    /// What a listener asks of client certificates: its own setting, else
    /// `ssl.client.auth` on SSL listeners and none on SASL_SSL ones.
    func clientAuthentication(for listener: BrokerListener, protocol securityProtocol: SecurityProtocol) -> ClientAuthentication {
        clientAuthenticationByListener[listener.name] ?? (securityProtocol == .ssl ? clientAuthentication : .none)
    }

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
        for listener in tlsListeners {
            let mode = clientAuthentication(for: listener, protocol: protocols[listener.name] ?? .ssl)
            if mode != .none && !hasTruststore {
                throw BrokerConfigError(
                    "ssl.client.auth=\(mode.rawValue) on listener \(listener.name) needs ssl.truststore.location, the CAs client certificates chain to")
            }
        }
    }
}

extension TLSConfig: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings with the private key and its password left out, so that
    /// logging a broker's config never writes a secret.
    public var description: String {
        "TLSConfig(keystore: \(keystoreLocation ?? (keystoreCertificateChain == nil ? "none" : "inline PEM")), "
            + "key password: \(keyPassword == nil ? "none" : "<redacted>"), "
            + "truststore: \(truststoreLocation ?? (truststoreCertificates == nil ? "none" : "inline PEM")), "
            + "client auth: \(clientAuthentication.rawValue), protocols: \(enabledProtocols.joined(separator: ","))"
            + (clientAuthenticationByListener.isEmpty ? "" : ", per listener: \(clientAuthenticationByListener.mapValues(\.rawValue))") + ")"
    }

    public var debugDescription: String { description }
}
