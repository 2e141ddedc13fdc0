import ArgumentParser

/// The `barge` command-line tool.
@main
struct BargeTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barge",
        abstract: "Move large payloads through Apache Kafka.",
        subcommands: [BrokerCommand.self, SendCommand.self, ReceiveCommand.self, BridgeCommand.self, TopicsCommand.self, UsersCommand.self, AclsCommand.self, GcCommand.self, DemoCommand.self, BenchCommand.self]
    )

    /// Tunes the allocator, then parses the command line and runs the command.
    static func main() async {
        AllocatorTuning.apply()
        await main(nil)
    }
}
