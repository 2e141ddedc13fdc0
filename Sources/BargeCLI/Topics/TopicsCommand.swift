import ArgumentParser
import Foundation
import RdKafka

/// `barge topics`: list, create, describe and delete topics.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "List, create, describe, alter and delete topics.",
        discussion: """
            Examples:
              barge topics list --bootstrap-servers 127.0.0.1:9092
              barge topics create videos --partitions 3 --set max.message.bytes=2097152
              barge topics describe videos --bootstrap-servers 127.0.0.1:9092 --json
              barge topics alter videos --set retention.ms=3600000 --delete max.message.bytes
              barge topics add-partitions videos --count 6
              barge topics delete-records videos --partition 0 --before 1000
              barge topics delete videos --bootstrap-servers 127.0.0.1:9092

            \(SettingsHelp.precedence)

            \(SettingsHelp.exitCodes)
            """,
        subcommands: [TopicsListCommand.self, TopicsCreateCommand.self, TopicsDescribeCommand.self, TopicsAlterCommand.self,
                      TopicsAddPartitionsCommand.self, TopicsDeleteRecordsCommand.self, TopicsDeleteCommand.self]
    )
}

/// What every `barge topics` subcommand takes: the connection, `--json`
/// and how long to wait for the cluster.
struct TopicsOptions: ParsableArguments {
    @OptionGroup var connection: KafkaConnectionOptions

    @Option(name: .long, help: "Seconds to wait for the cluster's answer.")
    var timeout: Int = 10

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        _ = try connection.resolve()
    }

    /// Runs `body` with an admin client for the resolved servers, closing it
    /// afterwards; failures end in one `Error:` line (exit 1, or 69 when the
    /// cluster cannot be reached).
    func withAdmin(_ body: (KafkaAdminClient, Duration, CommandOutput) async throws -> Void) async throws {
        let connection = try connection.resolve()
        try await reportingFailures(servers: connection.servers) {
            let admin = try KafkaAdminClient(configuration: connection.configuration(), logger: commandLogger("barge.topics"))
            do {
                try await body(admin, .seconds(timeout), CommandOutput(output))
            } catch {
                await admin.close()
                throw error
            }
            await admin.close()
        }
    }
}

/// One topic in `barge topics list --json` and `describe --json`.
struct TopicSummary: Encodable {
    struct Partition: Encodable {
        var id: Int32
        /// The leader's broker id; -1 if there is none.
        var leader: Int32
    }

    var name: String
    var partitions: Int
    var leaders: [Partition]?
    /// Offsets and bytes by tier (describe only).
    var tiers: [PartitionTiers]?
    var configs: [String: String]?
    var error: String?
}

/// Parses `--set KEY=VALUE` arguments into topic configs.
func topicConfigAssignments(_ assignments: [String]) throws -> [String: String] {
    var configs: [String: String] = [:]
    for assignment in assignments {
        guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
            throw ValidationError("--set takes KEY=VALUE, not '\(assignment)'")
        }
        configs[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
    }
    return configs
}
