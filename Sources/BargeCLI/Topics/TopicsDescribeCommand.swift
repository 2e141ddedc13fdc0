import ArgumentParser
import RdKafka

/// `barge topics describe`: a topic's partitions, their leaders and its configs.
struct TopicsDescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Show a topic's partitions, their leaders and its configs.",
        discussion: """
            Prints 'NAME partitions=N', then 'partition=I leader=B' per partition with where \
            its records are by tier (log-start, local-start, tiered-end, end offsets; local-bytes \
            and, with tiered storage, remote-bytes), then 'config KEY=VALUE' per config, \
            defaults included (with --json, one object with name, partitions, leaders, tiers and \
            configs). The tiers come from ListOffsets v9 and DescribeLogDirs; a broker without \
            them gets 'tiers unavailable'. Example:
              barge topics describe videos --bootstrap-servers 127.0.0.1:9092
            """
    )

    @Argument(help: "The topic's name.")
    var name: String

    @OptionGroup var options: TopicsOptions

    func run() async throws {
        let connection = try options.connection.resolve()
        try await options.withAdmin { admin, timeout, output in
            guard let topic = try await admin.listTopics(timeout: timeout).first(where: { $0.name == name }) else {
                throw CommandFailure("topic \(name) does not exist")
            }
            if let error = topic.error {
                throw CommandFailure("topic \(name): \(error.message)", exitCode: error.isAuthorizationFailure ? .noPermission : .failure)
            }
            let configs = try await admin.describeTopicConfig(name, timeout: timeout)
            let leaders = topic.partitions.map { TopicSummary.Partition(id: $0.id, leader: $0.leader) }
            var lines = ["\(name) partitions=\(topic.partitions.count)"]
            var tiers: [PartitionTiers]?
            do {
                tiers = try await PartitionTiers.query(server: connection.servers[0], security: connection.security.wire, topic: name, partitions: leaders.map(\.id))
            } catch {
                lines.append("tiers unavailable: \(error)")
            }
            let tierText = Dictionary(uniqueKeysWithValues: (tiers ?? []).map { ($0.partition, " " + $0.text) })
            lines += leaders.map { "partition=\($0.id) leader=\($0.leader)\(tierText[$0.id] ?? "")" }
            lines += configs.sorted { $0.key < $1.key }.map { "config \($0.key)=\($0.value)" }
            output.emit(
                lines.joined(separator: "\n"),
                json: TopicSummary(name: name, partitions: leaders.count, leaders: leaders, tiers: tiers, configs: configs))
        }
    }
}
