/// SASL credentials. librdkafka: `sasl.mechanism`, `sasl.username`,
/// `sasl.password`. The password never appears in a description.
public struct KafkaSASLCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512`.
    public var mechanism: String
    /// The user name.
    public var username: String
    /// The password.
    public var password: String

    /// Credentials for `mechanism`.
    public init(mechanism: String, username: String, password: String) {
        self.mechanism = mechanism
        self.username = username
        self.password = password
    }

    public var description: String {
        "KafkaSASLCredentials(mechanism: \(mechanism), username: \(username), password: <redacted>)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanism, "username": username, "password": "<redacted>"])
    }
}
