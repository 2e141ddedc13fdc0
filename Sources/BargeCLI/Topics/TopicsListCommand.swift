import ArgumentParser

/// `barge topics list`: every topic and its partition count.
struct TopicsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List topics and their partition counts.",
        discussion: """
            Prints one line per topic, 'NAME partitions=N' (with --json, \
            {"name": ..., "partitions": N}). Example:
              barge topics list --bootstrap-servers 127.0.0.1:9092 --json
            """
    )

    @OptionGroup var options: TopicsOptions

    func run() async throws {
        try await options.withAdmin { admin, timeout, output in
            for topic in try await admin.listTopics(timeout: timeout) {
                let error = topic.error.map { " error=\($0.name)" } ?? ""
                output.emit(
                    "\(topic.name) partitions=\(topic.partitions.count)\(error)",
                    json: TopicSummary(name: topic.name, partitions: topic.partitions.count, error: topic.error?.name))
            }
        }
    }
}
