import ArgumentParser
import Barge
import BargeRdKafka

/// `barge bridge internalize`: Barge messages become plain records again,
/// for consumers that cannot change.
struct BridgeInternalizeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "internalize",
        abstract: "Copy messages from --from to --to as plain records: claim checks and chunked messages become one record each.",
        discussion: """
            A message larger than a record of --to (its max.message.bytes) is stopped at (the default), \
            skipped with a log line, or named in a record of a dead-letter topic (--on-too-large). Example:
              barge bridge internalize --from files --to files-plain --store file:///srv/barge-objects
            """
    )

    @OptionGroup var bridge: BridgeOptions

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp(
        "What to do with a message too large for one record of --to: stop (exit 1 before committing past it), "
            + "skip (log it and go on) or dead-letter TOPIC (write a record naming it to TOPIC and go on).",
        valueName: "policy"))
    var onTooLarge: [String] = ["stop"]

    @Option(name: .long, help: "Memory for reassembling chunked messages before spilling to disk, e.g. 32MiB.")
    var memoryBudget: ByteCount = ByteCount(argument: "32MiB")!

    @Option(name: .long, help: "Also read these foreign large-message formats, comma-separated (bakdata, linkedin, irori): their messages become plain records too; s3:// objects are read from --store when its location holds them (e.g. --store s3://BUCKET/).", transform: InteropFormat.parseList)
    var interop: Set<InteropFormat> = []

    @OptionGroup var badRecords: BadRecordOptions

    @OptionGroup var storage: StoreOptions

    func validate() throws {
        _ = try tooLargePolicy()
    }

    func tooLargePolicy() throws -> BridgeTooLargePolicy {
        switch (onTooLarge.first, onTooLarge.count) {
        case ("stop", 1): return .stop
        case ("skip", 1): return .skip
        case ("dead-letter", 2): return .deadLetter(topic: onTooLarge[1])
        default: throw ValidationError("--on-too-large must be stop, skip or dead-letter TOPIC, not '\(onTooLarge.joined(separator: " "))'")
        }
    }

    func run() async throws {
        let connection = try bridge.connection.resolve()
        let settings = connection.settings
        var options = BridgeInternalizeOptions()
        options.tooLarge = try tooLargePolicy()
        options.consumer.memoryBudget = memoryBudget.value
        options.consumer.objectStores = try storage.objectStore(settings: settings).map { [$0] } ?? []
        options.consumer.encryption = try storage.keyring(settings: settings)
        options.consumer.badRecords = try badRecords.policy(settings: settings)
        options.consumer.interop = interop
        let configuration = try bridge.configuration(mode: .internalize(options), connection: connection)
        let logger = commandLogger("barge.bridge", clientErrors: .once)
        try await bridge.run(BargeBridge(configuration: configuration, logger: logger), servers: connection.servers, logger: logger)
    }
}
