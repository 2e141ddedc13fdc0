/// SASL credentials for a `KafkaWireConnection` (Kafka's `SASL_PLAINTEXT`
/// and `SASL_SSL`). The password never appears in a description.
public struct KafkaWireSASL: Sendable, CustomStringConvertible {
    /// A SASL mechanism the wire client speaks.
    public struct Mechanism: Hashable, Sendable, CustomStringConvertible {
        /// Kafka's name for it: `PLAIN`, `SCRAM-SHA-256`, `SCRAM-SHA-512`.
        public let name: String
        /// SASL/PLAIN (RFC 4616): the password in the clear, so only over TLS.
        public static let plain = Mechanism(knownName: "PLAIN")
        /// SCRAM-SHA-256 (RFC 5802, RFC 7677).
        public static let scramSHA256 = Mechanism(knownName: "SCRAM-SHA-256")
        /// SCRAM-SHA-512.
        public static let scramSHA512 = Mechanism(knownName: "SCRAM-SHA-512")

        /// The mechanism Kafka names `name`, case-insensitive; nil for one the wire client does not speak.
        public init?(name: String) {
            guard let known = [Mechanism.plain, .scramSHA256, .scramSHA512].first(where: { $0.name == name.uppercased() }) else {
                return nil
            }
            self = known
        }

        private init(knownName: String) {
            self.name = knownName
        }

        public var description: String { name }
    }

    /// The mechanism.
    public var mechanism: Mechanism
    /// The user name.
    public var username: String
    /// The password.
    public var password: String

    /// Credentials for `mechanism`.
    public init(mechanism: Mechanism, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }

    public var description: String {
        "KafkaWireSASL(mechanism: \(mechanism), username: \(username), password: <redacted>)"
    }
}
