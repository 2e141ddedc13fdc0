import Foundation

/// A setting the Kafka-facing commands (send, receive, bridge, topics, gc)
/// take from a flag, an environment variable or a config file, in that order.
enum SettingKey: String, CaseIterable, Sendable {
    case bootstrapServers = "bootstrap-servers"
    case topic
    case group
    case store
    case encryptionKeyFile = "encryption-key-file"
    case onBadRecord = "on-bad-record"
    case securityProtocol = "security-protocol"
    case saslMechanism = "sasl-mechanism"
    case saslUsername = "sasl-username"
    /// Never a flag (it would show in `ps`): `--sasl-password-file` instead.
    case saslPassword = "sasl-password"
    case saslPasswordFile = "sasl-password-file"
    case sslCALocation = "ssl-ca-location"
    case sslCertificateLocation = "ssl-certificate-location"
    case sslKeyLocation = "ssl-key-location"
    /// Never a flag: `--ssl-key-password-file` instead.
    case sslKeyPassword = "ssl-key-password"
    case sslKeyPasswordFile = "ssl-key-password-file"
    case sslEndpointIdentificationAlgorithm = "ssl-endpoint-identification-algorithm"

    /// The key in a config file: the flag's name, `bootstrap-servers`.
    var fileKey: String { rawValue }

    /// Kafka's (and librdkafka's) names for the setting, which a config file
    /// may use instead, so that a cluster's `client.properties` works as is:
    /// `bootstrap.servers`, `sasl.mechanisms`, ...
    var kafkaNames: [String] {
        switch self {
        case .bootstrapServers: ["bootstrap.servers"]
        case .securityProtocol: ["security.protocol"]
        case .saslMechanism: ["sasl.mechanism", "sasl.mechanisms"]
        case .saslUsername: ["sasl.username"]
        case .saslPassword: ["sasl.password"]
        case .sslCALocation: ["ssl.ca.location"]
        case .sslCertificateLocation: ["ssl.certificate.location"]
        case .sslKeyLocation: ["ssl.key.location"]
        case .sslKeyPassword: ["ssl.key.password"]
        case .sslEndpointIdentificationAlgorithm: ["ssl.endpoint.identification.algorithm"]
        case .topic, .group, .store, .encryptionKeyFile, .onBadRecord, .saslPasswordFile, .sslKeyPasswordFile: []
        }
    }

    /// The key a config-file name stands for: the flag's name or one of Kafka's names.
    init?(fileKey name: String) {
        guard let key = SettingKey(rawValue: name) ?? SettingKey.allCases.first(where: { $0.kafkaNames.contains(name) }) else {
            return nil
        }
        self = key
    }

    /// Whether the value is a secret: no flag, never shown.
    var isSecret: Bool { self == .saslPassword || self == .sslKeyPassword }

    /// The flag, `--bootstrap-servers`.
    var flag: String { "--" + rawValue }

    /// The environment variable, `BARGE_BOOTSTRAP_SERVERS`.
    var environmentVariable: String { "BARGE_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_") }

    /// What a value looks like, for error messages.
    var placeholder: String {
        switch self {
        case .bootstrapServers: "HOST:PORT"
        case .topic: "NAME"
        case .group: "GROUP"
        case .store: "URL"
        case .encryptionKeyFile, .saslPasswordFile, .sslCALocation, .sslCertificateLocation, .sslKeyLocation, .sslKeyPasswordFile: "FILE"
        case .onBadRecord: "report|skip|stop|dead-letter TOPIC"
        case .securityProtocol: "PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL"
        case .saslMechanism: "PLAIN|SCRAM-SHA-256|SCRAM-SHA-512"
        case .saslUsername: "USER"
        case .saslPassword, .sslKeyPassword: "PASSWORD"
        case .sslEndpointIdentificationAlgorithm: "https|none"
        }
    }
}
