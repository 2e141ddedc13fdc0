import ArgumentParser
import KafkaWireClient
import RdKafka

/// How a command authenticates to Kafka and encrypts the connection, resolved
/// once for every command that connects: each setting from its flag, else
/// its `BARGE_*` variable, else the config file (by Barge's or Kafka's name),
/// and checked as a whole. Every inconsistency is a usage error (exit 64)
/// that names where the offending value came from and never shows a secret.
struct KafkaSecuritySettings: Sendable {
    /// Kafka's SASL mechanisms that librdkafka and Barge's wire client both speak.
    static let mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]

    /// PLAINTEXT unless set.
    var securityProtocol: KafkaSecurityProtocol = .plaintext
    /// The credentials, for SASL_PLAINTEXT and SASL_SSL.
    var sasl: KafkaSASLCredentials?
    /// The TLS settings, for SSL and SASL_SSL.
    var tls: KafkaTLSSettings?

    /// PLAINTEXT, no credentials.
    init() {}

    /// Resolves and checks the settings.
    init(options: KafkaSecurityOptions, settings: CommandSettings) throws {
        let lookup = { (key: SettingKey) in settings.lookup(key, flag: options.flag(key)) }
        if let given = lookup(.securityProtocol) {
            guard let value = KafkaSecurityProtocol(name: given.value) else {
                throw ValidationError("\(given.source) must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not '\(given.value)'")
            }
            securityProtocol = value
        }
        let password = try settings.secret(.saslPassword, fileKey: .saslPasswordFile, fileFlag: options.saslPasswordFile)
        sasl = try Self.credentials(
            for: securityProtocol, mechanism: lookup(.saslMechanism), username: lookup(.saslUsername), password: password)
        let keyPassword = try settings.secret(.sslKeyPassword, fileKey: .sslKeyPasswordFile, fileFlag: options.sslKeyPasswordFile)
        tls = try Self.tls(for: securityProtocol, lookup: lookup, keyPassword: keyPassword)
    }

    /// Puts these settings into a librdkafka client's connection.
    func apply(to connection: inout KafkaConnectionConfiguration) {
        connection.securityProtocol = securityProtocol
        connection.sasl = sasl
        if let tls { connection.tls = tls }
    }

    /// The same settings for Barge's own wire connections (`barge topics describe`'s tiers).
    var wire: KafkaWireSecurity {
        KafkaWireSecurity(
            tls: tls.map { tls in
                KafkaWireTLS(caFile: tls.caLocation, certificateFile: tls.certificateLocation, keyFile: tls.keyLocation,
                             keyPassword: tls.keyPassword, verifiesHostname: tls.endpointIdentification == .https)
            },
            // The mechanism was checked against the ones both clients speak.
            sasl: sasl.flatMap { sasl in
                KafkaWireSASL.Mechanism(name: sasl.mechanism).map { KafkaWireSASL(mechanism: $0, username: sasl.username, password: sasl.password) }
            }
        )
    }

    private typealias Given = (value: String, source: String)

    private static func credentials(
        for securityProtocol: KafkaSecurityProtocol, mechanism: Given?, username: Given?, password: Given?
    ) throws -> KafkaSASLCredentials? {
        guard securityProtocol.usesSASL else {
            if let given = mechanism ?? username ?? password {
                throw ValidationError(
                    "\(given.source) sets a SASL setting, but the security protocol is \(securityProtocol): "
                        + "pass --security-protocol SASL_SSL (or SASL_PLAINTEXT), or leave the SASL settings out")
            }
            return nil
        }
        guard let mechanism else { throw missing(.saslMechanism, for: securityProtocol) }
        guard let name = Self.mechanisms.first(where: { $0 == mechanism.value.uppercased() }) else {
            throw ValidationError("\(mechanism.source) must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512, not '\(mechanism.value)'")
        }
        guard let username else { throw missing(.saslUsername, for: securityProtocol) }
        guard let password else {
            throw ValidationError(
                "\(securityProtocol) needs a SASL password: pass --sasl-password-file FILE, set BARGE_SASL_PASSWORD "
                    + "(or BARGE_SASL_PASSWORD_FILE), or put 'sasl-password = PASSWORD' (or sasl.password) in a config file")
        }
        return KafkaSASLCredentials(mechanism: name, username: username.value, password: password.value)
    }

    private static func tls(
        for securityProtocol: KafkaSecurityProtocol, lookup: (SettingKey) -> Given?, keyPassword: Given?
    ) throws -> KafkaTLSSettings? {
        let ca = lookup(.sslCALocation), certificate = lookup(.sslCertificateLocation), key = lookup(.sslKeyLocation)
        let algorithm = lookup(.sslEndpointIdentificationAlgorithm)
        guard securityProtocol.usesTLS else {
            if let given = ca ?? certificate ?? key ?? keyPassword ?? algorithm {
                throw ValidationError(
                    "\(given.source) sets a TLS setting, but the security protocol is \(securityProtocol): "
                        + "pass --security-protocol SSL (or SASL_SSL), or leave the TLS settings out")
            }
            return nil
        }
        var tls = KafkaTLSSettings()
        if let algorithm {
            guard let value = KafkaTLSSettings.EndpointIdentification(name: algorithm.value) else {
                throw ValidationError("\(algorithm.source) must be https or none, not '\(algorithm.value)'")
            }
            tls.endpointIdentification = value
        }
        switch (certificate, key) {
        case (nil, nil):
            if let keyPassword { throw ValidationError("\(keyPassword.source) is a key's password, but no --ssl-key-location is set") }
        case (let certificate?, nil):
            throw ValidationError("\(certificate.source) needs its private key: pass --ssl-key-location FILE")
        case (nil, let key?):
            throw ValidationError("\(key.source) needs its certificate: pass --ssl-certificate-location FILE")
        case (let certificate?, let key?):
            try TextFile.requireReadable(certificate.value, what: certificate.source)
            try TextFile.requireReadable(key.value, what: key.source)
            tls.certificateLocation = certificate.value
            tls.keyLocation = key.value
            tls.keyPassword = keyPassword?.value
        }
        if let ca {
            try TextFile.requireReadable(ca.value, what: ca.source)
            tls.caLocation = ca.value
        }
        return tls
    }

    private static func missing(_ key: SettingKey, for securityProtocol: KafkaSecurityProtocol) -> ValidationError {
        ValidationError(
            "\(securityProtocol) needs a \(key.rawValue.replacingOccurrences(of: "-", with: " ")): pass \(key.flag), set \(key.environmentVariable), "
                + "or put '\(key.fileKey) = \(key.placeholder)' (or \(key.kafkaNames[0])) in a config file")
    }
}
