import Metrics

/// Settings every client shares: where the cluster is, how to reach it, and
/// what else to pass to librdkafka.
public struct KafkaConnectionConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Initial brokers, `host:port`. librdkafka: `bootstrap.servers`.
    public var bootstrapServers: [String]
    /// Client id sent to brokers. librdkafka: `client.id`. Default: `barge`.
    public var clientID: String = "barge"
    /// Largest request (and produced record batch) the client builds.
    /// librdkafka: `message.max.bytes`. Default: 1000000.
    public var messageMaxBytes: Int = 1_000_000
    /// Largest response the client accepts. librdkafka:
    /// `receive.message.max.bytes`. Default: 100000000.
    public var receiveMessageMaxBytes: Int = 100_000_000
    /// Network request timeout. librdkafka: `socket.timeout.ms`. Default: 60 s.
    public var socketTimeout: Duration = .seconds(60)
    /// How often librdkafka's statistics are reported to swift-metrics; `nil`
    /// turns them off. librdkafka: `statistics.interval.ms`. Default: off.
    public var statisticsInterval: Duration?
    /// Where the statistics go; `nil` uses swift-metrics' global
    /// `MetricsSystem`. Default: `nil`.
    public var metricsFactory: (any MetricsFactory)?
    /// librdkafka debug contexts, such as `broker`, `protocol`, `cgrp`;
    /// their output goes to the client's logger. librdkafka: `debug`. Default: none.
    public var debugContexts: [String] = []
    /// How to talk to brokers. librdkafka: `security.protocol`. Default: plaintext.
    public var securityProtocol: KafkaSecurityProtocol = .plaintext
    /// SASL credentials, for `saslPlaintext` and `saslSSL`. librdkafka:
    /// `sasl.mechanism`, `sasl.username`, `sasl.password`. Default: none.
    public var sasl: KafkaSASLCredentials?
    /// TLS settings, for `ssl` and `saslSSL`. librdkafka: `ssl.ca.location`,
    /// `ssl.certificate.location`, `ssl.key.location`, `ssl.key.password`,
    /// `ssl.endpoint.identification.algorithm`. Default: the system's roots,
    /// no client certificate, host names checked.
    public var tls = KafkaTLSSettings()
    /// Called with each client-wide error librdkafka reports (brokers down,
    /// failed authentication, failed TLS handshakes), on one of librdkafka's
    /// threads; librdkafka goes on retrying after them. They are logged
    /// either way. Default: none.
    public var onClientError: (@Sendable (KafkaClientError) -> Void)?
    /// Any other librdkafka property, passed through as written (see
    /// librdkafka's CONFIGURATION.md). These are applied last and win over
    /// the typed settings. Default: none.
    public var additionalProperties: [String: String] = [:]

    /// Settings for the given bootstrap servers, with defaults for the rest.
    public init(bootstrapServers: [String]) {
        self.bootstrapServers = bootstrapServers
    }

    /// The librdkafka properties: these shared ones, then a client's own
    /// `specific` ones, then the pass-through properties, which win.
    func properties(with specific: [(String, String)]) -> [(String, String)] {
        var result: [(String, String)] = [
            ("bootstrap.servers", bootstrapServers.joined(separator: ",")),
            ("client.id", clientID),
            ("message.max.bytes", String(messageMaxBytes)),
            ("receive.message.max.bytes", String(receiveMessageMaxBytes)),
            ("socket.timeout.ms", String(socketTimeout.milliseconds)),
            ("statistics.interval.ms", String(statisticsInterval?.milliseconds ?? 0)),
            ("security.protocol", securityProtocol.name),
        ]
        if !debugContexts.isEmpty { result.append(("debug", debugContexts.joined(separator: ","))) }
        if let sasl {
            result += [("sasl.mechanism", sasl.mechanism), ("sasl.username", sasl.username), ("sasl.password", sasl.password)]
        }
        result += tls.properties
        return result + specific + additionalProperties.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }
}

extension KafkaConnectionConfiguration {
    /// The librdkafka properties, secrets shown as `<redacted>`.
    public var description: String {
        let shown = properties(with: []).map { "\($0.0)=\(Self.displayValue(of: $0.0, $0.1))" }
        return "KafkaConnectionConfiguration(\(shown.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    /// librdkafka properties whose values are secrets: never logged, never in
    /// an error message.
    static let secretProperties: Set<String> = [
        "sasl.password", "ssl.key.password", "ssl.keystore.password", "ssl.key.pem", "sasl.oauthbearer.client.secret",
        "sasl.oauthbearer.config",
    ]

    /// `value` for messages: `<redacted>` for a secret property.
    static func displayValue(of name: String, _ value: String) -> String {
        secretProperties.contains(name) ? "<redacted>" : value
    }
}

extension Duration {
    /// Whole milliseconds, rounded down, as librdkafka's `*.ms` settings take them.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
