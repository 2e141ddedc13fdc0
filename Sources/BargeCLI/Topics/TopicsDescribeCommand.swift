import ArgumentParser
import RdKafka

/// `barge topics describe`: a topic's partitions, their leaders and its configs.
struct TopicsDescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a topic's partitions, their leaders and its configs.",
        discussion: """
            Prints 'NAME partitions=N', then 'partition=I leader=B' per partition, then \
            'config KEY=VALUE' per config, defaults included (with --json, one object \
            with name, partitions, leaders and configs). Example:
              barge topics describe videos --bootstrap-servers 127.0.0.1:9092
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @OptionGroup var options: TopicsOptions

    func run() async throws {
        try await options.withAdmin { admin, timeout, output in
            guard let topic = try await admin.listTopics(timeout: timeout).first(where: { $0.name == name }) else {
                throw CommandFailure("topic \(name) does not exist")
            }
            if let error = topic.error { throw CommandFailure("topic \(name): \(error.message)") }
            let configs = try await admin.describeTopicConfig(name, timeout: timeout)
            let leaders = topic.partitions.map { TopicSummary.Partition(id: $0.id, leader: $0.leader) }
            var lines = ["\(name) partitions=\(topic.partitions.count)"]
            lines += leaders.map { "partition=\($0.id) leader=\($0.leader)" }
            lines += configs.sorted { $0.key < $1.key }.map { "config \($0.key)=\($0.value)" }
            output.emit(
                lines.joined(separator: "\n"),
                json: TopicSummary(name: name, partitions: leaders.count, leaders: leaders, configs: configs))
        }
    }
}
