import ArgumentParser

/// `barge topics add-partitions`: grows a topic.
struct TopicsAddPartitionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-partitions",
        abstract: "Grow a topic to more partitions.",
        discussion: """
            --count is the topic's new total; a topic never shrinks. Records keep \
            their partitions, so keys hash to other partitions from then on. Example:
              barge topics add-partitions videos --count 6
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @Option(name: .long, help: "The topic's new number of partitions (more than it has).")
    var count: Int32

    @OptionGroup var options: TopicsOptions

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        try await options.withAdmin { admin, timeout, output in
            try await admin.createPartitions(name, totalCount: count, timeout: timeout)
            output.emit("\(name) partitions=\(count)", json: TopicChange(action: "partitions-added", name: name, partitions: Int(count)))
        }
    }
}
