import ArgumentParser
import Barge
import BargeRdKafka
import Foundation
import ObjectStore

/// `barge gc`: deletes claim-check objects no record references any more.
struct GcCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete claim-check objects whose references are gone.",
        discussion: """
            Lists the store's claim-check objects (keys TOPIC/MESSAGE-ID), reads every \
            reference record still in those topics, and deletes the objects that none \
            references: their topic was deleted, retention removed their reference, or \
            their reference was never produced (orphans). Objects younger than --grace \
            are kept (their reference may still be on its way); an object a record still \
            references is never deleted. Prints one line per object deleted, with the \
            reason (with --json, one JSON object for the whole run). Examples:
              barge gc --bootstrap-servers 127.0.0.1:9092 --store file:///srv/barge-objects --dry-run
              barge gc --store 's3://media/claims?endpoint=http://127.0.0.1:8333' --grace 6h --json

            \(SettingsHelp.precedence)

            \(SettingsHelp.exitCodes)
            """
    )

    @OptionGroup var connection: KafkaConnectionOptions

    @OptionGroup var storage: StoreOptions

    @Option(name: .long, help: "Keep unreferenced objects younger than this: 90s, 15m, 1h (the default), 2d, or 0.")
    var grace: DurationArgument = DurationArgument(argument: "1h")!

    @Flag(name: .long, help: "Only report what would be deleted.")
    var dryRun = false

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let connection = try connection.resolve()
        let servers = connection.servers
        guard let store = try storage.objectStore(settings: connection.settings) else {
            throw ValidationError("gc needs the object store: pass --store URL, set BARGE_STORE, or put 'store = URL' in a config file")
        }
        try await reportingFailures(servers: servers) {
            var configuration = ClaimCheckJanitorConfiguration(bootstrapServers: servers, store: store)
            connection.apply(to: &configuration.connection)
            configuration.gracePeriod = grace.value
            configuration.dryRun = dryRun
            let collection = try await ClaimCheckJanitor(configuration: configuration, logger: commandLogger("barge.gc")).collect()
            let out = CommandOutput(output)
            out.emit(Self.text(of: collection), json: GcResult(collection))
            if collection.deletions.contains(where: { $0.error != nil }) {
                throw CommandFailure("some objects could not be deleted (see above)")
            }
        }
    }

    static func text(of collection: ClaimCheckCollection) -> String {
        var lines = collection.deletions.map { deletion in
            let verb = deletion.deleted ? "deleted" : collection.dryRun ? "would delete" : "could not delete"
            return "\(verb) \(deletion.objectURL) size=\(deletion.size) reason=\"\(deletion.reason.rawValue)\"" + (deletion.error.map { " error=\"\($0)\"" } ?? "")
        }
        lines.append(
            "examined=\(collection.examined) referenced=\(collection.referenced) within-grace=\(collection.withinGracePeriod) "
                + "unscanned=\(collection.unscanned) foreign=\(collection.foreign) \(collection.dryRun ? "would-delete" : "deleted")="
                + "\(collection.deletions.filter { $0.deleted || collection.dryRun }.count) bytes=\(collection.bytesCollected)"
        )
        return lines.joined(separator: "\n")
    }
}

/// `barge gc --json`: the whole run.
struct GcResult: Encodable {
    struct Deletion: Encodable {
        var object: String
        var size: Int64
        var reason: String
        var deleted: Bool
        var error: String?
    }

    var dryRun: Bool
    var examined: Int
    var referenced: Int
    var withinGrace: Int
    var unscanned: Int
    var foreign: Int
    var bytes: Int64
    var deletions: [Deletion]

    init(_ collection: ClaimCheckCollection) {
        dryRun = collection.dryRun
        examined = collection.examined
        referenced = collection.referenced
        withinGrace = collection.withinGracePeriod
        unscanned = collection.unscanned
        foreign = collection.foreign
        bytes = collection.bytesCollected
        deletions = collection.deletions.map { Deletion(object: $0.objectURL, size: $0.size, reason: $0.reason.rawValue, deleted: $0.deleted, error: $0.error) }
    }

    enum CodingKeys: String, CodingKey {
        case examined, referenced, unscanned, foreign, bytes, deletions
        case dryRun = "dry_run", withinGrace = "within_grace"
    }
}
