import ArgumentParser
import BargeBroker
import FileIO
import Foundation
import Logging

/// `barge demo`: the embedded broker in this process, and the use cases
/// Barge is for, run end to end and verified.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run Barge's use cases end to end on the embedded broker, verified, with figures.",
        discussion: """
            Starts the embedded broker in this process (data under --data-dir, emptied first) and runs, \
            each on its own topic:
              1. machine vision: 200 camera frames of 200 KB to 5 MB, auto policy, a 2-member group;
              2. video: a 500 MB recording streamed while it is made, played back progressively;
              3. big CSV: 1 GB of rows in line-aligned parts, zstd, aggregated by 3 consumers;
              4. chat attachment: chat text in a header, a 30 MB attachment chunked, one message;
              5. model archive: a 2 GB file sent as a claim check to a file-system store under \
            --data-dir, read back streaming; after the topic's retention removed the reference, \
            the janitor deletes the object;
              6. surveillance archive: 400 MB of camera clips to a topic with tiered storage that keeps \
            8 MB on local disk; its closed segments move to a remote tier (a file-system store \
            under --data-dir) while it is written, and a new consumer replays it from offset 0 \
            through the remote tier;
              7. legacy integration: a plain librdkafka producer (no Barge) writes 12 files of 20 to 50 MB \
            into a raw topic with a raised record limit; `barge bridge externalize` (in this process) \
            moves them into claim checks, exactly once; a Barge consumer reads them verified.
            Every payload's SHA-256 is checked. Prints a table; exits with 1 if anything failed.
            Example: barge demo --scale 0.1   (a tenth of the volume, for a quick look)
            """
    )

    @Option(name: .long, help: "Directory for the broker's data (emptied first).")
    var dataDir: String = "./.barge/demo"

    @Option(name: .long, help: "Multiplies every use case's volume (1 = the full demo).")
    var scale: Double = 1

    func validate() throws {
        guard scale > 0, scale <= 10 else { throw ValidationError("--scale must be above 0 and at most 10") }
    }

    func run() async throws {
        let fileSystem = PosixFileSystem()
        try? fileSystem.removeTree(dataDir)
        try fileSystem.makeDirectories(dataDir)
        var config = BrokerConfig()
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        config.dataDirectory = dataDir
        config.autoCreateTopics = true
        // The model archive's topic keeps records for seconds: check retention every second.
        config.retentionCheckIntervalMs = 1000
        // Tiered storage for the surveillance archive: a file-system remote tier under the data directory.
        let absoluteDataDir = dataDir.hasPrefix("/") ? dataDir : FileManager.default.currentDirectoryPath + "/" + dataDir
        config.remoteStorage.systemEnable = true
        config.remoteStorage.storageURL = "file://\(absoluteDataDir)/remote-tier"
        config.remoteStorage.taskIntervalMs = 500
        let quiet = commandLogger("barge.demo")
        let server = try await KafkaBrokerServer.start(config: config, logger: quiet)
        print("embedded broker on 127.0.0.1:\(server.port), data in \(dataDir)")
        let environment = DemoEnvironment(bootstrapServers: "127.0.0.1:\(server.port)", scale: scale, logger: quiet)
        let storeRoot = absoluteDataDir + "/objects"
        let results = try await withThrowingTaskGroup(of: [DemoResult]?.self) { group in
            group.addTask {
                try await server.run()
                return nil
            }
            group.addTask { try await Self.runUseCases(environment, dataDirectory: absoluteDataDir, storeRoot: storeRoot) }
            defer { group.cancelAll() }
            while let finished = try await group.next() {
                if let results = finished { return results }
            }
            return []
        }
        print("")
        print(DemoTable.render(results))
        guard !results.isEmpty, results.allSatisfy({ $0.verified }) else {
            throw CommandFailure("some payloads were not delivered or not verified (see above)")
        }
    }

    private static func runUseCases(_ environment: DemoEnvironment, dataDirectory: String, storeRoot: String) async throws -> [DemoResult] {
        let useCases: [(String, @Sendable () async throws -> DemoResult)] = [
            ("machine vision", { try await MachineVisionDemo(environment: environment).run() }),
            ("video", { try await VideoDemo(environment: environment).run() }),
            ("big CSV", { try await CSVDemo(environment: environment).run() }),
            ("chat attachment", { try await ChatDemo(environment: environment).run() }),
            ("model archive", { try await ModelArchiveDemo(environment: environment, storeRoot: storeRoot).run() }),
            ("surveillance archive", {
                try await SurveillanceArchiveDemo(environment: environment, dataDirectory: dataDirectory, remoteRoot: dataDirectory + "/remote-tier").run()
            }),
            ("legacy integration", { try await LegacyIntegrationDemo(environment: environment, storeRoot: storeRoot).run() }),
        ]
        var results: [DemoResult] = []
        for (name, run) in useCases {
            print("running \(name)...")
            PeakMemory.reset()
            var result = try await run()
            result.peakRSS = PeakMemory.peak()
            print(String(format: "  %@: %d payloads, %@ in %.1f s, %@", name, result.payloads, DemoTable.megabytes(result.bytes), result.seconds, result.verified ? "verified" : "NOT verified"))
            results.append(result)
        }
        return results
    }
}
