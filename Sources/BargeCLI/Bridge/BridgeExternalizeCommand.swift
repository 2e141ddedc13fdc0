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

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case barge, bakdata
        case bakdataHeaders = "bakdata-headers"
        case linkedin
        case linkedinHeaders = "linkedin-headers"

        var outputFormat: BridgeOutputFormat {
            switch self {
            case .barge: .barge
            case .bakdata: .bakdata(mode: .byteFlag)
            case .bakdataHeaders: .bakdata(mode: .headers)
            case .linkedin: .linkedIn(style: .envelope)
            case .linkedinHeaders: .linkedIn(style: .recordHeader)
            }
        }
    }

    @OptionGroup var bridge: BridgeOptions

    @Option(name: .long, help: "Values of at least this size, e.g. 1MiB, are moved.")
    var threshold: ByteCount

    @Option(name: .long, help: "claim-check (the value goes to --store, a reference record to --to) or chunked.")
    var strategy: Strategy = .claimCheck

    @Option(name: .long, help: "With --strategy chunked: the chunk size, e.g. 960KiB; with --format linkedin the segment size.")
    var chunkSize: ByteCount = ByteCount(argument: "960KiB")!

    @Option(name: .long, help: "none, gzip, lz4, zstd or snappy, optionally with :LEVEL (zstd:9), for chunks.")
    var compression: String = "none"

    @Option(name: .long, help: ArgumentHelp(
        "The format written: barge (claim checks or chunks), or for consumers that still run another library "
            + "bakdata (bakdata's serde, byte flag; objects in the S3 --store), bakdata-headers (its header mode), "
            + "linkedin (LinkedIn's segments of --chunk-size with their in-value header) or linkedin-headers "
            + "(raw slices, the header in _lm). See docs/interop.md."))
    var format: Format = .barge

    @Option(name: .long, help: "Translate a topic written by other large-message libraries into Barge's format: read these formats, comma-separated (bakdata, linkedin, irori); their s3:// objects are read from --store when its location holds them (e.g. --store s3://BUCKET/).", transform: InteropFormat.parseList)
    var interop: Set<InteropFormat> = []

    @OptionGroup var storage: StoreOptions

    func validate() throws {
        guard threshold.value > 0 else { throw ValidationError("--threshold must be positive") }
        guard interop.isEmpty || format == .barge else { throw ValidationError("--interop translates into Barge's format: leave --format barge") }
        guard BargeCompression(named: compression) != nil else {
            throw ValidationError("--compression must be none, gzip, lz4, zstd or snappy (optionally :LEVEL), not '\(compression)'")
        }
    }

    func run() async throws {
        let connection = try bridge.connection.resolve()
        let settings = connection.settings
        var producer = LargeMessageProducerOptions()
        // LinkedIn's segments are cut at the chunk size; bakdata's objects go to the store.
        let usesStore = format == .barge ? strategy == .claimCheck : format == .bakdata || format == .bakdataHeaders
        producer.policy = usesStore ? .claimCheck : .chunked(chunkSize: chunkSize.value)
        producer.compression = BargeCompression(named: compression)!
        producer.objectStore = try storage.objectStore(settings: settings)
        // Keys only read (encrypted claim checks of a source); the bridge writes its own unencrypted.
        let keyring = try storage.keyring(settings: settings)
        if usesStore, producer.objectStore == nil {
            throw ValidationError("--strategy claim-check and --format bakdata need --store (or $BARGE_STORE, or store in the config file)")
        }
        var options = BridgeExternalizeOptions(threshold: threshold.value, producer: producer)
        options.format = format.outputFormat
        options.reader.interop = interop
        options.reader.objectStores = producer.objectStore.map { [$0] } ?? []
        options.reader.encryption = keyring
        let configuration = try bridge.configuration(mode: .externalize(options), connection: connection)
        let logger = commandLogger("barge.bridge", clientErrors: .once)
        try await bridge.run(BargeBridge(configuration: configuration, logger: logger), servers: connection.servers, logger: logger)
    }
}
