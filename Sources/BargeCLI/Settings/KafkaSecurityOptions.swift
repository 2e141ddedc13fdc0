import ArgumentParser

/// The flags of Kafka's security settings, which every command that
/// connects to Kafka takes; resolved with ``KafkaSecuritySettings``.
/// Passwords are never flag values (they would show in `ps`): only files
/// that hold them.
struct KafkaSecurityOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "PLAINTEXT (the default), SSL, SASL_PLAINTEXT or SASL_SSL (else $BARGE_SECURITY_PROTOCOL, else security-protocol or security.protocol in the config file).",
        valueName: "protocol"))
    var securityProtocol: String?

    @Option(name: .long, help: ArgumentHelp(
        "With SASL_*: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512 (else $BARGE_SASL_MECHANISM, else sasl-mechanism or sasl.mechanism(s) in the config file).",
        valueName: "mechanism"))
    var saslMechanism: String?

    @Option(name: .long, help: ArgumentHelp(
        "With SASL_*: the user name, or API key (else $BARGE_SASL_USERNAME, else sasl-username or sasl.username in the config file).",
        valueName: "user"))
    var saslUsername: String?

    @Option(name: .long, help: ArgumentHelp(
        "With SASL_*: a file holding the password, or API secret (else $BARGE_SASL_PASSWORD, else sasl-password or sasl.password in the config file).",
        valueName: "file"))
    var saslPasswordFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "With SSL or SASL_SSL: a PEM file of the CAs to trust instead of the system's (else $BARGE_SSL_CA_LOCATION, else ssl-ca-location or ssl.ca.location in the config file).",
        valueName: "file"))
    var sslCaLocation: String?

    @Option(name: .long, help: ArgumentHelp(
        "With SSL or SASL_SSL: the client's certificate, PEM, for brokers that require one (else $BARGE_SSL_CERTIFICATE_LOCATION, else the config file).",
        valueName: "file"))
    var sslCertificateLocation: String?

    @Option(name: .long, help: ArgumentHelp(
        "The private key of --ssl-certificate-location, PEM (else $BARGE_SSL_KEY_LOCATION, else the config file).",
        valueName: "file"))
    var sslKeyLocation: String?

    @Option(name: .long, help: ArgumentHelp(
        "A file holding the password of an encrypted --ssl-key-location (else $BARGE_SSL_KEY_PASSWORD, else ssl-key-password or ssl.key.password in the config file).",
        valueName: "file"))
    var sslKeyPasswordFile: String?

    @Option(name: .long, help: ArgumentHelp(
        "https (the default: the broker's certificate must name its host) or none (else $BARGE_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, else the config file).",
        valueName: "algorithm"))
    var sslEndpointIdentificationAlgorithm: String?

    /// The flag's value of `key`; nil for secrets, which have no flag.
    func flag(_ key: SettingKey) -> String? {
        switch key {
        case .securityProtocol: securityProtocol
        case .saslMechanism: saslMechanism
        case .saslUsername: saslUsername
        case .saslPasswordFile: saslPasswordFile
        case .sslCALocation: sslCaLocation
        case .sslCertificateLocation: sslCertificateLocation
        case .sslKeyLocation: sslKeyLocation
        case .sslKeyPasswordFile: sslKeyPasswordFile
        case .sslEndpointIdentificationAlgorithm: sslEndpointIdentificationAlgorithm
        default: nil
        }
    }
}
