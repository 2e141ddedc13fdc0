/// Stand-in credentials for users that have none, so that a SCRAM exchange for
/// an unknown user looks like one for a known user until its last step.
extension ScramCredential {
    /// A random secret made once per process: fake credentials cannot be
    /// predicted from outside, yet the same name gets the same salt on every try.
    private static let fakeCredentialSecret: [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }()

    /// A credential for `username` that no password matches: a salt of
    /// `saltLength` bytes and keys derived from the user name and the process's
    /// secret, with `ScramMechanism.minimumIterations` (Kafka's default) iterations.
    static func fake(username: String, mechanism: ScramMechanism) -> ScramCredential {
        func derive(_ label: String, _ derivation: ScramMechanism) -> [UInt8] {
            let input = Array("\(label)\0\(mechanism.name)\0".utf8) + Array(username.utf8)
            return derivation.hmac(key: fakeCredentialSecret, data: input)
        }
        // An HMAC-SHA-256 is exactly `saltLength` bytes long.
        return ScramCredential(
            mechanism: mechanism,
            salt: derive("salt", .sha256),
            storedKey: derive("stored key", mechanism),
            serverKey: derive("server key", mechanism),
            iterations: ScramMechanism.minimumIterations
        )
    }
}
