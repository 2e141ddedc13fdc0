import ArgumentParser
import RdKafka

/// How a command reaches Kafka: `--bootstrap-servers`, the security flags
/// and the `--config` file; resolved with ``CommandSettings`` and
/// ``KafkaSecuritySettings``.
struct KafkaConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...] (else $BARGE_BOOTSTRAP_SERVERS, else bootstrap-servers or bootstrap.servers in the config file).",
        valueName: "servers"))
    var bootstrapServers: String?

    @Option(name: .long, help: ArgumentHelp(
        "A config file of 'key = value' lines named like the flags or like Kafka's client properties (else $BARGE_CONFIG, else ./barge.conf if present).",
        valueName: "file"))
    var config: String?

    @OptionGroup(title: "Kafka security (docs/security.md)") var security: KafkaSecurityOptions

    /// The settings beyond the flags: environment and config file.
    func settings() throws -> CommandSettings {
        try CommandSettings(configFlag: config)
    }

    /// Servers and security from the flags, the environment or the config
    /// file; a usage error (exit 64) if one is missing or they do not fit together.
    func resolve() throws -> KafkaConnection {
        let settings = try settings()
        return KafkaConnection(
            servers: try settings.servers(flag: bootstrapServers),
            security: try KafkaSecuritySettings(options: security, settings: settings),
            settings: settings
        )
    }
}

/// A resolved connection: the servers, how to authenticate, and the
/// settings the command may still need.
struct KafkaConnection: Sendable {
    var servers: [String]
    var security: KafkaSecuritySettings
    var settings: CommandSettings

    /// The security settings in a librdkafka client's connection, with the
    /// hook that stops the command at the first authentication failure
    /// (librdkafka would retry it for good).
    func apply(to connection: inout KafkaConnectionConfiguration) {
        security.apply(to: &connection)
        connection.onClientError = AuthenticationFailureStop.hook(servers: servers)
    }

    /// A librdkafka client's connection to these servers.
    func configuration() -> KafkaConnectionConfiguration {
        var configuration = KafkaConnectionConfiguration(bootstrapServers: servers)
        apply(to: &configuration)
        return configuration
    }
}

/// Where a command's messages go or come from: `--topic` and the connection.
struct KafkaTopicOptions: ParsableArguments {
    @Option(name: .long, help: "The topic (else $BARGE_TOPIC, else topic in the config file).")
    var topic: String?

    @OptionGroup var connection: KafkaConnectionOptions

    /// A missing setting is a usage error before the command starts.
    func validate() throws {
        _ = try resolve()
    }
}

/// The resolved place: connection and topic.
struct KafkaTarget: Sendable {
    var connection: KafkaConnection
    var topic: String

    var servers: [String] { connection.servers }
    var settings: CommandSettings { connection.settings }
}

extension KafkaTopicOptions {
    /// Connection and topic from the flags, the environment or the config
    /// file; a usage error (exit 64) naming all three ways if one is missing.
    func resolve() throws -> KafkaTarget {
        let connection = try connection.resolve()
        return KafkaTarget(connection: connection, topic: try connection.settings.require(.topic, flag: topic))
    }
}
