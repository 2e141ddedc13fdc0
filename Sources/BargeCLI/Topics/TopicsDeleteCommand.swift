import ArgumentParser

/// `barge topics delete`: removes a topic and its data.
struct TopicsDeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a topic and its data.",
        discussion: """
            Example:
              barge topics delete videos --bootstrap-servers 127.0.0.1:9092
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @OptionGroup var options: TopicsOptions

    func run() async throws {
        try await options.withAdmin { admin, timeout, output in
            try await admin.deleteTopic(name, timeout: timeout)
            output.emit("deleted \(name)", json: TopicChange(action: "deleted", name: name))
        }
    }
}
