import ArgumentParser
import Barge
import BargeRdKafka

/// `barge bridge externalize`: large values of any producer's records move
/// into Barge messages (claim checks or chunks).
struct BridgeExternalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "externalize",
        abstract: "Copy records from --from to --to, moving values of at least --threshold bytes into Barge claim checks or chunks.",
        discussion: """
            Records below the threshold, and records a Barge producer wrote, pass unchanged. A moved value's \
            object is named after its source record (topic, partition, offset), so work redone after a crash \
            writes the same object, never a second one. A store or cluster that is down stops the bridge \
            advancing; it retries and loses nothing. Example:
              barge bridge externalize --from raw-files --to files --threshold 1MiB --store file:///srv/barge-objects
            """
    )

    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case claimCheck = "claim-check"
        case chunked
    }

    @OptionGroup var bridge: BridgeOptions

    @Option(name: .long, help: "Values of at least this size, e.g. 1MiB, are moved.")
    var threshold: ByteCount

    @Option(name: .long, help: "claim-check (the value goes to --store, a reference record to --to) or chunked.")
    var strategy: Strategy = .claimCheck

    @Option(name: .long, help: "With --strategy chunked: the chunk size, e.g. 960KiB.")
    var chunkSize: ByteCount = ByteCount(argument: "960KiB")!

    @Option(name: .long, help: "none, gzip, lz4, zstd or snappy, optionally with :LEVEL (zstd:9), for chunks.")
    var compression: String = "none"

    @OptionGroup var storage: StoreOptions

    func validate() throws {
        guard threshold.value > 0 else { throw ValidationError("--threshold must be positive") }
        guard BargeCompression(named: compression) != nil else {
            throw ValidationError("--compression must be none, gzip, lz4, zstd or snappy (optionally :LEVEL), not '\(compression)'")
        }
    }

    func run() async throws {
        let settings = try bridge.connection.settings()
        var producer = LargeMessageProducerOptions()
        producer.policy = strategy == .chunked ? .chunked(chunkSize: chunkSize.value) : .claimCheck
        producer.compression = BargeCompression(named: compression)!
        producer.objectStore = try storage.objectStore(settings: settings)
        producer.encryption = try storage.keyring(settings: settings)
        if strategy == .claimCheck, producer.objectStore == nil {
            throw ValidationError("--strategy claim-check needs --store (or $BARGE_STORE, or store in the config file)")
        }
        let configuration = try bridge.configuration(
            mode: .externalize(BridgeExternalizeOptions(threshold: threshold.value, producer: producer)), settings: settings)
        let logger = commandLogger("barge.bridge", clientErrors: .once)
        try await bridge.run(BargeBridge(configuration: configuration, logger: logger), logger: logger)
    }
}
