/// The client's SASL/PLAIN message (RFC 4616).
public enum PlainClientMessage: Sendable {
    /// `NUL username NUL password`: no authorization identity, as Kafka's Java
    /// client and librdkafka send it. Neither text may hold NUL.
    public static func encode(username: String, password: String) -> [UInt8] {
        [0] + Array(username.utf8) + [0] + Array(password.utf8)
    }
}
