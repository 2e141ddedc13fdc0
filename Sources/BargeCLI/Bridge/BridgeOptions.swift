import ArgumentParser
import BargeRdKafka
import Foundation
import Logging
import ServiceLifecycle

/// What both bridge directions take: the topics, the group, workers and
/// delivery, and the connection.
struct BridgeOptions: ParsableArguments {
    @Option(name: .long, help: "The topic to read.")
    var from: String

    @Option(name: .long, help: "The topic to write; it needs at least as many partitions as --from.")
    var to: String

    @Option(name: .long, help: "The consumer group that keeps the bridge's position (default: barge-bridge.FROM.TO); it also prefixes the transactional ids.")
    var group: String?

    @Option(name: .long, help: "Workers, each a consumer in the group with its own producer.")
    var parallel = 1

    @Option(name: .long, help: "Names this process among the group's bridges (transactional ids GROUP-INSTANCE-WORKER): a restart with the same name fences the old process; several processes of one group need different names.")
    var instance = "0"

    @Flag(name: .long, help: "At least once, for a cluster without transactions: offsets are committed after the output is acknowledged.")
    var noTransactions = false

    @OptionGroup var connection: KafkaConnectionOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1") }
        guard from != to else { throw ValidationError("--from and --to must be different topics") }
        _ = try connection.resolve()
    }

    /// The bridge's settings for `mode`, with the tool's Kafka defaults.
    func configuration(mode: BridgeMode, connection: KafkaConnection) throws -> BargeBridgeConfiguration {
        var configuration = BargeBridgeConfiguration(
            bootstrapServers: connection.servers, groupID: group ?? "barge-bridge.\(from).\(to)",
            source: from, target: to, mode: mode
        )
        connection.apply(to: &configuration.consumer.connection)
        connection.apply(to: &configuration.producer.connection)
        configuration.transactions = !noTransactions
        configuration.parallelism = parallel
        configuration.instance = instance
        configuration.producer.messageTimeout = .seconds(30)
        return configuration
    }

    /// Runs `bridge` until SIGTERM or SIGINT, then prints what it moved;
    /// failures end in one `Error:` line.
    func run(_ bridge: BargeBridge, servers: [String], logger: Logger) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: bridge)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await reportingFailures(servers: servers) { try await group.run() }
        let moved = bridge.statistics
        CommandOutput(output).emit(
            "moved \(moved.records) records: \(moved.movedRecords) large (\(moved.movedBytes) bytes), \(moved.records - moved.movedRecords) unchanged (\(moved.passedBytes) bytes), \(moved.retries) retries",
            json: BridgeSummary(moved))
    }
}

/// The JSON line a bridge prints when it stops.
struct BridgeSummary: Encodable {
    var records: Int
    var movedRecords: Int
    var movedBytes: Int64
    var passedBytes: Int64
    var retries: Int

    init(_ statistics: BargeBridgeStatistics) {
        records = statistics.records
        movedRecords = statistics.movedRecords
        movedBytes = statistics.movedBytes
        passedBytes = statistics.passedBytes
        retries = statistics.retries
    }
}
