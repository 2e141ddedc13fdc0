/// How a `KafkaWireConnection` protects itself, as Kafka's
/// `security.protocol` says: TLS or not (`SSL`, `SASL_SSL`), a SASL login
/// or not (`SASL_PLAINTEXT`, `SASL_SSL`).
public struct KafkaWireSecurity: Sendable, CustomStringConvertible {
    /// TLS settings; nil for a plain TCP connection.
    public var tls: KafkaWireTLS?
    /// SASL credentials; nil for no login.
    public var sasl: KafkaWireSASL?

    /// Plain TCP, no login: Kafka's `PLAINTEXT`.
    public static let plaintext = KafkaWireSecurity()

    /// TLS when `tls` is given, a SASL login when `sasl` is.
    public init(tls: KafkaWireTLS? = nil, sasl: KafkaWireSASL? = nil) {
        self.tls = tls
        self.sasl = sasl
    }

    /// Kafka's name of the protocol, `SASL_SSL`.
    public var protocolName: String {
        switch (tls != nil, sasl != nil) {
        case (false, false): "PLAINTEXT"
        case (true, false): "SSL"
        case (false, true): "SASL_PLAINTEXT"
        case (true, true): "SASL_SSL"
        }
    }

    public var description: String {
        ([protocolName] + [tls?.description, sasl?.description].compactMap { $0 }).joined(separator: " ")
    }
}
