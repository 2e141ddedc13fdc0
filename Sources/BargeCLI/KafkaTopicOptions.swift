import ArgumentParser

/// How a command reaches Kafka: `--bootstrap-servers` and the `--config`
/// file; resolved with ``CommandSettings``.
struct KafkaConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Kafka bootstrap servers, HOST:PORT[,HOST:PORT...] (else $BARGE_BOOTSTRAP_SERVERS, else bootstrap-servers in the config file).",
        valueName: "servers"))
    var bootstrapServers: String?

    @Option(name: .long, help: ArgumentHelp(
        "A config file of 'key = value' lines named like the flags (else $BARGE_CONFIG, else ./barge.conf if present).",
        valueName: "file"))
    var config: String?

    /// The settings beyond the flags: environment and config file.
    func settings() throws -> CommandSettings {
        try CommandSettings(configFlag: config)
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

/// The resolved place: servers and topic.
struct KafkaTarget: Sendable {
    var servers: [String]
    var topic: String
    var settings: CommandSettings
}

extension KafkaTopicOptions {
    /// Servers and topic from the flags, the environment or the config file;
    /// a usage error (exit 64) naming all three ways if one is missing.
    func resolve() throws -> KafkaTarget {
        let settings = try connection.settings()
        return KafkaTarget(
            servers: try settings.servers(flag: connection.bootstrapServers),
            topic: try settings.require(.topic, flag: topic),
            settings: settings
        )
    }
}
