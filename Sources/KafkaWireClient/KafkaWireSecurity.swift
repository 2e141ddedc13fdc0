/// How a `KafkaWireConnection` protects itself, as Kafka's
/// `security.protocol` says: TLS or not (`SSL`, `SASL_SSL`).
public struct KafkaWireSecurity: Sendable, CustomStringConvertible {
    /// TLS settings; nil for a plain TCP connection.
    public var tls: KafkaWireTLS?

    /// Plain TCP: Kafka's `PLAINTEXT`.
    public static let plaintext = KafkaWireSecurity()

    /// TLS when `tls` is given.
    public init(tls: KafkaWireTLS? = nil) {
        self.tls = tls
    }

    public var description: String {
        tls.map { "SSL \($0)" } ?? "PLAINTEXT"
    }
}
