import ArgumentParser
import Foundation
import Logging
import RdKafka

/// `barge bench client`: produce and consume throughput of this package's
/// Swift client (RdKafka) against confluent-kafka's, on the same broker in
/// the same run.
struct ClientBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Compare the Swift Kafka client's throughput with confluent-kafka's.",
        discussion: """
            Each round, each client (taking turns to go first) produces --records records of \
            --record-size random bytes to a new single-partition topic (acks=all, linger.ms=5, \
            no compression), then a fresh assign-mode consumer reads them all back from \
            offset 0. Both clients use the same librdkafka settings; confluent-kafka runs in \
            Benchmarks/confluent_client_bench.py under python3. Prints a table of every round \
            and the medians, then, as the last line, Swift's median MB/s over confluent-kafka's: \
            client/confluent-kafka produce=X.XX consume=Y.YY
            """
    )

    @Option(name: .long, help: "The broker to run against, HOST:PORT.")
    var bootstrapServers: String

    @Option(name: .long, help: "Records per client and round.")
    var records = 500

    @Option(name: .long, help: "Bytes of each record's value.")
    var recordSize = 1_000_000

    @Option(name: .long, help: "Rounds; the median of each client and phase is reported.")
    var rounds = 3

    @Option(name: .long, help: "Python interpreter with confluent-kafka installed.")
    var python = "python3"

    @Option(name: .long, help: "Path of confluent_client_bench.py (default: Benchmarks/ under the working directory or above the barge executable).")
    var confluentHelper: String?

    @Option(name: .long, help: "Log level of the Swift clients.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard records > 0, recordSize > 0, rounds > 0 else {
            throw ValidationError("--records, --record-size and --rounds must be positive")
        }
    }

    func run() async throws {
        guard let helper = confluentHelper ?? ConfluentClientRun.findHelper() else {
            throw ValidationError("cannot find \(ConfluentClientRun.helperPath): pass --confluent-helper PATH")
        }
        var logger = Logger(label: "barge.bench.client")
        logger.logLevel = logLevel
        let settings = ClientBenchSettings(records: records, recordSize: recordSize)
        let swift = SwiftClientRun(settings: settings, bootstrapServers: bootstrapServers, logger: logger)
        let confluent = ConfluentClientRun(settings: settings, bootstrapServers: bootstrapServers, python: python, helper: helper)
        let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [bootstrapServers]), logger: logger)
        let topics = BenchTopics(admin: admin, configs: settings.topicConfigs)

        emit("barge bench client: \(records) records of \(recordSize) bytes per client and round, \(rounds) round(s), broker \(bootstrapServers)")
        emit("producer settings, both clients: \(Self.describe(settings.producerProperties))")
        emit("consumer settings, both clients: \(Self.describe(settings.consumerProperties))")
        emit(ClientBenchReport.header)
        var report = ClientBenchReport()
        var confluentVersions = "confluent-kafka"
        do {
            for round in 1...rounds {
                for client in round % 2 == 1 ? [BenchClient.swift, .confluent] : [.confluent, .swift] {
                    let topic = try await topics.create(prefix: "bench-client-\(client == .swift ? "swift" : "confluent")-\(round)")
                    let throughput: ClientThroughput
                    switch client {
                    case .swift:
                        throughput = try await swift.run(topic: topic)
                    case .confluent:
                        let result = try await confluent.run(topic: topic)
                        throughput = result.throughput
                        confluentVersions = "confluent-kafka \(result.confluentKafkaVersion) on librdkafka \(result.librdkafkaVersion)"
                    }
                    try await topics.delete(topic)
                    emit(report.record(round: round, client: client, throughput))
                }
            }
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
        emit(report.medianRows)
        emit("")
        emit("Swift RdKafka on librdkafka \(LibrdkafkaVersion.loadedString); \(confluentVersions)")
        emit(report.ratioLine)
    }

    /// librdkafka properties as `key=value` pairs in key order.
    private static func describe(_ properties: [String: String]) -> String {
        properties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    /// Writes `line` to standard output at once (unbuffered), so rows appear
    /// as rounds finish also when the output is a pipe.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
