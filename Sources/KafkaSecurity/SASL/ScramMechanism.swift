/// SCRAM-SHA-256 or SCRAM-SHA-512 (RFC 5802, RFC 7677), the two SCRAM
/// mechanisms Kafka offers.
public enum ScramMechanism: String, CaseIterable, Sendable, Codable {
    /// SCRAM with SHA-256 and HMAC-SHA-256 (RFC 7677).
    case sha256 = "SCRAM-SHA-256"
    /// SCRAM with SHA-512 and HMAC-SHA-512.
    case sha512 = "SCRAM-SHA-512"

    /// The mechanism's name as SaslHandshake and `sasl.mechanism` spell it: "SCRAM-SHA-256".
    public var name: String { rawValue }

    /// The mechanism called `name`, compared ignoring ASCII case ("scram-sha-256"
    /// works); nil for any other name.
    public init?(name: String) {
        func lowercased(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        let wanted = name.utf8.map(lowercased)
        guard let mechanism = Self.allCases.first(where: { $0.rawValue.utf8.map(lowercased) == wanted }) else {
            return nil
        }
        self = mechanism
    }

    /// The mechanism's code in DescribeUserScramCredentials and
    /// AlterUserScramCredentials: 1 for SCRAM-SHA-256, 2 for SCRAM-SHA-512.
    public var kafkaCode: Int8 {
        switch self {
        case .sha256: 1
        case .sha512: 2
        }
    }

    /// The mechanism with Kafka code `kafkaCode`; nil for 0 (Kafka's UNKNOWN) and any other code.
    public init?(kafkaCode: Int8) {
        switch kafkaCode {
        case 1: self = .sha256
        case 2: self = .sha512
        default: return nil
        }
    }

    /// The fewest iterations Kafka accepts for a stored credential (and the
    /// fewest a SCRAM client accepts from a server), for both mechanisms.
    public static let minimumIterations = 4096
    /// The most iterations Kafka accepts in AlterUserScramCredentials, for both mechanisms.
    public static let maximumIterations = 16384
}
