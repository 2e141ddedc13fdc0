import Foundation

/// One round of confluent-kafka: Benchmarks/confluent_client_bench.py,
/// run with python3, produces and consumes the same records with the same
/// librdkafka settings as ``SwiftClientRun`` and prints one JSON line.
struct ConfluentClientRun: Sendable {
    /// The helper's JSON line.
    struct Result: Decodable, Sendable {
        var produceMegabytesPerSecond: Double
        var consumeMegabytesPerSecond: Double
        var confluentKafkaVersion: String
        var librdkafkaVersion: String

        enum CodingKeys: String, CodingKey {
            case produceMegabytesPerSecond = "produce_mb_per_s"
            case consumeMegabytesPerSecond = "consume_mb_per_s"
            case confluentKafkaVersion = "confluent_kafka_version"
            case librdkafkaVersion = "librdkafka_version"
        }

        var throughput: ClientThroughput {
            ClientThroughput(produce: produceMegabytesPerSecond, consume: consumeMegabytesPerSecond)
        }
    }

    /// The helper's path within the repository.
    static let helperPath = "Benchmarks/confluent_client_bench.py"

    let settings: ClientBenchSettings
    let bootstrapServers: String
    /// The Python interpreter, looked up in `PATH`.
    let python: String
    /// Path of confluent_client_bench.py.
    let helper: String

    /// Produces and consumes `settings.records` records on partition 0 of `topic`.
    func run(topic: String) async throws -> Result {
        let arguments = [
            helper,
            "--bootstrap-servers", bootstrapServers,
            "--topic", topic,
            "--records", String(settings.records),
            "--record-size", String(settings.recordSize),
            "--producer-config", try Self.json(settings.producerProperties),
            "--consumer-config", try Self.json(settings.consumerProperties),
        ]
        let output = try await runChildProcess(python, arguments)
        guard output.status == 0 else {
            throw BenchFailure("\(python) \(helper) exited with status \(output.status)")
        }
        guard let line = output.standardOutput.split(separator: "\n").last else {
            throw BenchFailure("\(helper) printed nothing")
        }
        do {
            return try JSONDecoder().decode(Result.self, from: Data(line.utf8))
        } catch {
            throw BenchFailure("\(helper) printed '\(line)', not its JSON result: \(error)")
        }
    }

    /// confluent_client_bench.py in the working directory or next to the
    /// `barge` executable's repository (searching upwards from the
    /// executable), if it is there.
    static func findHelper() -> String? {
        let fileManager = FileManager.default
        var candidates = [URL(fileURLWithPath: fileManager.currentDirectoryPath)]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var directory = executable.deletingLastPathComponent()
            while directory.path != "/" {
                candidates.append(directory)
                directory = directory.deletingLastPathComponent()
            }
        }
        return candidates.map { $0.appendingPathComponent(helperPath).path }.first { fileManager.isReadableFile(atPath: $0) }
    }

    private static func json(_ properties: [String: String]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(properties), as: UTF8.self)
    }
}
