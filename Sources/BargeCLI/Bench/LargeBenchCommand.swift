import ArgumentParser
import FileIO
import Foundation
import Logging
import RdKafka

/// `barge bench large`: end-to-end throughput of one large payload sent as
/// a chunked Barge message against the same bytes sent as plain records,
/// on the same broker in the same run.
struct LargeBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "large",
        abstract: "Compare a large Barge message's end-to-end throughput with plain records'.",
        discussion: """
            Writes a payload file of --size pseudo-random bytes once, then each round moves it \
            through a new single-partition topic twice (taking turns to go first): as plain \
            records of --chunk-size bytes with the RdKafka client, and as one Barge message \
            chunked at --chunk-size (LargeMessageProducer.send(contentsOf:)). Each time a consumer \
            assigned partition 0 from offset 0 runs concurrently and writes the bytes to a file \
            (plain: the record values, synced at the end; Barge: progressive delivery and \
            BargeMessage.write(to:), which verifies the SHA-256 and syncs). Time runs from the \
            first send to the synced output file; both sides use barge send's and barge receive's \
            librdkafka settings. Prints a table of every round and the medians, then, as the last \
            line, Barge's median MB/s over plain's: large/plain throughput=X.XX
            """
    )

    @Option(name: .long, help: "The broker to run against, HOST:PORT.")
    var bootstrapServers: String

    @Option(name: .long, help: "Payload bytes, e.g. 1GiB (the default) or 8MiB.")
    var size: ByteCount = ByteCount(argument: "1GiB")!

    @Option(name: .long, help: "Rounds; the median of each transfer is reported.")
    var rounds = 3

    @Option(name: .long, help: "Bytes of each plain record and Barge chunk, e.g. 960KiB (the default, as barge send's).")
    var chunkSize: ByteCount = ByteCount(argument: "960KiB")!

    @Option(name: .long, help: "Directory for the payload and output files (default: the system's temporary directory).")
    var directory: String?

    @Option(name: .long, help: "Log level of the Kafka clients.")
    var logLevel: Logger.Level = .warning

    func validate() throws {
        guard size.value > 0, chunkSize.value > 0, rounds > 0 else {
            throw ValidationError("--size, --chunk-size and --rounds must be positive")
        }
    }

    func run() async throws {
        var logger = Logger(label: "barge.bench.large")
        logger.logLevel = logLevel
        let settings = LargeBenchSettings(bootstrapServers: bootstrapServers, size: Int64(size.value), chunkSize: chunkSize.value)
        let base = directory ?? FileManager.default.temporaryDirectory.path
        let workDirectory = base + "/barge-bench-large-" + UUID().uuidString.prefix(8).lowercased()
        let fileSystem = PosixFileSystem()
        try fileSystem.makeDirectories(workDirectory)
        let admin: KafkaAdminClient
        do {
            admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [bootstrapServers]), logger: logger)
        } catch {
            try? fileSystem.removeTree(workDirectory)
            throw error
        }
        let outcome: Result<LargeBenchReport, any Error>
        do {
            outcome = .success(try await runRounds(settings, in: workDirectory, topics: BenchTopics(admin: admin, configs: settings.topicConfigs), logger: logger))
        } catch {
            outcome = .failure(error)
        }
        await admin.close()
        try? fileSystem.removeTree(workDirectory)
        let report = try outcome.get()
        emit(report.medianRows)
        emit("")
        emit(report.ratioLine)
    }

    private func runRounds(_ settings: LargeBenchSettings, in workDirectory: String, topics: BenchTopics, logger: Logger) async throws -> LargeBenchReport {
        emit("barge bench large: a payload of \(settings.size) bytes in records/chunks of \(settings.chunkSize) bytes, \(rounds) round(s), broker \(bootstrapServers)")
        emit("settings, both transfers: \(settings.describedSettings)")
        let payload = workDirectory + "/payload"
        let writeTime = try await ContinuousClock().measure {
            let file = try await BenchFile.create(payload)
            do {
                try await file.appendPseudoRandom(size: settings.size, seed: UInt64.random(in: .min ... .max))
            } catch {
                await file.release()
                throw error
            }
            await file.release()
        }
        emit("payload file written in \(writeTime)")
        emit(LargeBenchReport.header)
        let plain = PlainTransferRun(settings: settings, logger: logger)
        let barge = BargeTransferRun(settings: settings, logger: logger)
        var report = LargeBenchReport(size: settings.size)
        for round in 1...rounds {
            for transfer in round % 2 == 1 ? [LargeTransfer.plain, .barge] : [.barge, .plain] {
                let topic = try await topics.create(prefix: "bench-large-\(transfer == .plain ? "plain" : "barge")-\(round)")
                let output = workDirectory + "/received-\(transfer == .plain ? "plain" : "barge")"
                let elapsed: Duration
                do {
                    elapsed = switch transfer {
                    case .plain: try await plain.run(topic: topic, input: payload, output: output)
                    case .barge: try await barge.run(topic: topic, input: payload, output: output)
                    }
                    let received = try fileSize(output)
                    guard received == settings.size else {
                        throw BenchFailure("the \(transfer.rawValue) transfer wrote \(received) bytes, not \(settings.size)")
                    }
                } catch {
                    try? await topics.delete(topic)
                    throw error
                }
                try PosixFileSystem().remove(output)
                try await topics.delete(topic)
                emit(report.record(round: round, transfer, elapsed))
            }
        }
        return report
    }

    /// Writes `line` to standard output at once (unbuffered), so rows appear
    /// as rounds finish also when the output is a pipe.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
