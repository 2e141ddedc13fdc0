/// How a client talks to brokers. librdkafka: `security.protocol`.
public struct KafkaSecurityProtocol: Hashable, Sendable, CustomStringConvertible {
    /// librdkafka's name for it.
    public let name: String
    /// Plain TCP.
    public static let plaintext = KafkaSecurityProtocol(knownName: "plaintext")
    /// TLS.
    public static let ssl = KafkaSecurityProtocol(knownName: "ssl")
    /// SASL authentication over plain TCP.
    public static let saslPlaintext = KafkaSecurityProtocol(knownName: "sasl_plaintext")
    /// SASL authentication over TLS (Confluent Cloud, MSK with SCRAM).
    public static let saslSSL = KafkaSecurityProtocol(knownName: "sasl_ssl")

    /// Every protocol, in the order Kafka lists them.
    public static let all: [KafkaSecurityProtocol] = [.plaintext, .ssl, .saslPlaintext, .saslSSL]

    /// The protocol Kafka names `PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or
    /// `SASL_SSL`, case-insensitive; nil for anything else.
    public init?(name: String) {
        guard let known = Self.all.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = known
    }

    private init(knownName: String) {
        self.name = knownName
    }

    /// Whether the connection is encrypted with TLS.
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
    /// Whether the client authenticates with SASL.
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }

    /// Kafka's spelling: `SASL_SSL`.
    public var description: String { name.uppercased() }
}
