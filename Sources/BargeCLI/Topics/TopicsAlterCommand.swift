import ArgumentParser

/// `barge topics alter`: sets and removes a topic's configs.
struct TopicsAlterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alter",
        abstract: "Set or remove a topic's configs.",
        discussion: """
            Configs take Kafka's names. The broker checks the result as a whole and \
            refuses it (INVALID_CONFIG, with its reason) without changing anything. \
            The other configs set on the topic stay as they are (through librdkafka \
            2.0's AlterConfigs: the tool reads the topic's configs and writes them \
            back with the change). Examples:
              barge topics alter videos --set retention.ms=3600000 --set segment.bytes=104857600
              barge topics alter videos --delete retention.ms
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @Option(name: .long, help: ArgumentHelp("A config to set, KEY=VALUE (repeatable).", valueName: "key=value"))
    var set: [String] = []

    @Option(name: .long, help: ArgumentHelp("A config to remove, back to the broker's default (repeatable).", valueName: "key"))
    var delete: [String] = []

    @OptionGroup var options: TopicsOptions

    func validate() throws {
        guard !set.isEmpty || !delete.isEmpty else { throw ValidationError("give at least one --set KEY=VALUE or --delete KEY") }
        let configs = try topicConfigAssignments(set)
        if let both = delete.first(where: { configs[$0] != nil }) {
            throw ValidationError("'\(both)' is both set and deleted")
        }
    }

    func run() async throws {
        let configs = try topicConfigAssignments(set)
        try await options.withAdmin { admin, timeout, output in
            let overrides = try await admin.changeTopicConfigs(name, set: configs, delete: delete, timeout: timeout)
            let listed = overrides.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            output.emit("altered \(name)\(listed.isEmpty ? "" : " " + listed)", json: TopicConfigsChange(name: name, configs: overrides))
        }
    }
}

/// `barge topics alter --json`: the configs set on the topic afterwards.
struct TopicConfigsChange: Encodable {
    var action = "altered"
    var name: String
    var configs: [String: String]
}
