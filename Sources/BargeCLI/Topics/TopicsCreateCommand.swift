import ArgumentParser

/// `barge topics create`: a topic with partitions, replication and configs.
struct TopicsCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a topic.",
        discussion: """
            Topic configs take Kafka's names, as --set KEY=VALUE (repeatable; --config \
            names the settings file, as for every command). Examples:
              barge topics create videos --partitions 3 --bootstrap-servers 127.0.0.1:9092
              barge topics create big --partitions 1 --replication-factor 1 \\
                  --set max.message.bytes=209715200 --set retention.ms=3600000
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @Option(name: .long, help: "The number of partitions.")
    var partitions: Int32

    @Option(name: .long, help: "Copies of each partition (default: the broker's default).")
    var replicationFactor: Int16?

    @Option(name: .long, help: ArgumentHelp("A topic config, KEY=VALUE (repeatable), e.g. max.message.bytes=2097152.", valueName: "key=value"))
    var set: [String] = []

    @OptionGroup var options: TopicsOptions

    func validate() throws {
        guard partitions > 0 else { throw ValidationError("--partitions must be at least 1") }
        if let replicationFactor, replicationFactor < 1 { throw ValidationError("--replication-factor must be at least 1") }
        _ = try configs()
    }

    func configs() throws -> [String: String] { try topicConfigAssignments(set) }

    func run() async throws {
        let configs = try configs()
        try await options.withAdmin { admin, timeout, output in
            try await admin.createTopic(name, partitions: partitions, replicationFactor: replicationFactor ?? -1, configs: configs, timeout: timeout)
            output.emit("created \(name) partitions=\(partitions)", json: TopicChange(action: "created", name: name, partitions: Int(partitions)))
        }
    }
}

/// `barge topics create|delete --json`.
struct TopicChange: Encodable {
    var action: String
    var name: String
    var partitions: Int?
}
