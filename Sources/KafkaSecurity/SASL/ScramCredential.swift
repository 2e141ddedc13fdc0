/// What the broker keeps for one user and mechanism: the salt, the iteration
/// count and the two keys RFC 5802 derives from the password, never the password.
///
/// Kafka's `kafka-configs --add-config 'SCRAM-SHA-256=[password=...]'` and
/// AlterUserScramCredentials make these; `ScramServerExchange` checks logins against them.
public struct ScramCredential: Sendable, Equatable, Codable {
    /// The mechanism the keys belong to.
    public let mechanism: ScramMechanism
    /// The salt the password was salted with, sent to clients in server-first.
    public let salt: [UInt8]
    /// StoredKey = H(ClientKey): checks the client's proof.
    public let storedKey: [UInt8]
    /// ServerKey: signs the server's final message.
    public let serverKey: [UInt8]
    /// The PBKDF2 iteration count the password was salted with.
    public let iterations: Int

    /// The credential for `password`: SaltedPassword = Hi(password, salt, iterations),
    /// then the keys. The password's UTF-8 bytes are used as given, without
    /// SASLprep, as Kafka's Java client and librdkafka do.
    ///
    /// The time this takes grows with `iterations`: check it against
    /// `ScramMechanism.minimumIterations...maximumIterations` first. Fewer than
    /// 1 iteration counts as 1 in the derivation.
    public init(mechanism: ScramMechanism, password: String, salt: [UInt8], iterations: Int) {
        let saltedPassword = mechanism.hi(password: Array(password.utf8), salt: salt, iterations: iterations)
        self.init(mechanism: mechanism, saltedPassword: saltedPassword, salt: salt, iterations: iterations)
    }

    /// The credential for a salted password, Hi(password, salt, iterations), as
    /// AlterUserScramCredentials' upsertions carry it.
    public init(mechanism: ScramMechanism, saltedPassword: [UInt8], salt: [UInt8], iterations: Int) {
        let keys = mechanism.keys(saltedPassword: saltedPassword)
        self.init(mechanism: mechanism, salt: salt, storedKey: keys.storedKey, serverKey: keys.serverKey, iterations: iterations)
    }

    init(mechanism: ScramMechanism, salt: [UInt8], storedKey: [UInt8], serverKey: [UInt8], iterations: Int) {
        self.mechanism = mechanism
        self.salt = salt
        self.storedKey = storedKey
        self.serverKey = serverKey
        self.iterations = iterations
    }

    /// The length of `randomSalt()`: 32 bytes, twice the 16 bytes NIST SP 800-132
    /// asks for. (Kafka's own tools make salts of about 26 bytes.)
    static let saltLength = 32

    /// A new salt of 32 bytes from the system's secure random source.
    public static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// Whether `password` is this credential's password, for SASL/PLAIN logins
    /// checked against the stored SCRAM credential. Salts the password with
    /// `iterations` rounds (bound them first), then compares the keys in constant time.
    public func matches(password: String) -> Bool {
        let other = ScramCredential(mechanism: mechanism, password: password, salt: salt, iterations: iterations)
        // Both comparisons always run: `&&` would skip the second.
        let storedKeyMatches = ConstantTime.equals(other.storedKey, storedKey)
        let serverKeyMatches = ConstantTime.equals(other.serverKey, serverKey)
        return storedKeyMatches && serverKeyMatches
    }
}
