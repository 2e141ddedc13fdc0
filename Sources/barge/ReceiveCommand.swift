import ArgumentParser
import Barge
import Foundation
import Logging
import RdKafka

/// `barge receive`: writes each verified payload of a topic into a directory.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive large messages into a directory, verified.",
        discussion: """
            Each payload is written under its original file name (or its message id, or \
            TOPIC-PARTITION-OFFSET for a plain record), through a temporary file renamed \
            once the SHA-256 matched; then its offset is committed and a line is printed \
            (with --json, one JSON object per payload, and one per failure event). \
            A journal in the directory (.barge-received) keeps a message delivered again \
            after a crash from being written twice. On a terminal, a progress line on \
            standard error follows the payload being written. Examples:
              barge receive --topic videos --bootstrap-servers 127.0.0.1:9092 --group archive --to ./in --count 3
              BARGE_GROUP=archive barge receive --config ./barge.conf --to ./in --json
              barge receive --topic models --group m --to ./in --store file:///srv/barge-objects

            Claim checks are read from --store (the reference names a bucket or directory and \
            key; this store's endpoint and credentials reach it). If the store cannot be read \
            after retries, or the key to decrypt is missing, the receiver stops (exit 69 or 1) \
            without committing the message, so the next run gets it again.

            \(SettingsHelp.precedence)

            \(SettingsHelp.exitCodes)
            """
    )

    @OptionGroup var kafka: KafkaTopicOptions

    @Option(name: .long, help: "The consumer group (else $BARGE_GROUP, else group in the config file).")
    var group: String?

    @Option(name: .long, help: "The directory to write payloads into (created if missing).")
    var to: String

    @Option(name: .long, help: "A static group member id (group.instance.id): a restarted receiver with the same id takes its place at once instead of after the session timeout.")
    var instanceId: String?

    @Option(name: .long, help: "Exit after this many payloads (default: run until interrupted).")
    var count: Int?

    @Option(name: .long, help: "Payload bytes to hold in memory before spilling to the temporary directory, e.g. 32MiB.")
    var memoryBudget: ByteCount = ByteCount(argument: "32MiB")!

    @OptionGroup var storage: StoreOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        _ = try kafka.resolve().settings.require(.group, flag: group)
    }

    func run() async throws {
        let target = try kafka.resolve()
        let group = try target.settings.require(.group, flag: group)
        try await reportingFailures(servers: target.servers) {
            try await receive(from: target, group: group)
        }
    }

    private func receive(from target: KafkaTarget, group: String) async throws {
        let out = CommandOutput(output)
        do {
            try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot create \(to): \(error.localizedDescription)")
        }
        var journal = try ReceivedJournal(directory: to)
        journal.removePartialFiles()
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: target.servers, groupID: group)
        settings.delivery = .progressive
        settings.consumer.groupInstanceID = instanceId
        settings.memoryBudget = memoryBudget.value
        settings.objectStores = try storage.objectStore(settings: target.settings).map { [$0] } ?? []
        settings.encryption = try storage.keyring(settings: target.settings)
        ToolDefaults.apply(to: &settings.consumer)
        let consumer = try LargeMessageConsumer(configuration: settings, logger: commandLogger("barge.receive", clientErrors: .once))
        try consumer.subscribe(topics: [target.topic])
        var received = 0
        var events = consumer.events.makeAsyncIterator()
        var reported: Set<String> = []
        do {
            while true {
                let event: BargeConsumerEvent
                do {
                    guard let next = try await events.next() else { break }
                    event = next
                } catch let error as KafkaClientError where !error.isFatal && error.kind != .closed {
                    // A topic not created yet, a broker restarting: say so once and keep waiting.
                    if reported.insert(error.message).inserted {
                        FileHandle.standardError.write(Data("waiting: \(error.message)\n".utf8))
                    }
                    continue
                }
                switch event {
                case .failure(let error):
                    out.report("failed: \(error)", json: ReceiveEvent(failure: error))
                case .message(let message):
                    if try await receive(message, journal: &journal, output: out) { received += 1 }
                    try await consumer.commit()
                }
                if let count, received >= count { break }
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
    }

    /// Writes one payload; false when the journal shows it was received before.
    private func receive(_ message: BargeMessage, journal: inout ReceivedJournal, output: CommandOutput) async throws -> Bool {
        let info = message.info
        let key = info.id?.text ?? "\(info.topic)-\(info.partition)-\(info.offset)"
        if let name = journal.name(of: key) {
            output.report("skipped id=\(key): received before as \(name)", json: ReceiveEvent(skipped: key, file: to + "/" + name))
            return false
        }
        var name = Self.safeName(info.fileName) ?? key
        if journal.isTaken(name) { name = "\(key)-\(name)" }
        let path = to + "/" + name
        let verified: BargeMessageInfo
        let progress = ProgressLine(label: "receiving \(name)", total: info.size) {
            fileSize(atPath: path + BargeMessage.partialFileSuffix)
        }
        do {
            verified = try await message.write(to: path)
        } catch let error as BargeConsumerError where error.kind == .objectStore {
            await progress?.finish()
            throw CommandFailure("\(error)", exitCode: .unavailable)
        } catch let error as BargeConsumerError where [.noStore, .encryption].contains(error.kind) {
            await progress?.finish()
            throw CommandFailure("\(error)")
        } catch let error as BargeConsumerError where error.kind != .storage {
            await progress?.finish()
            output.report("failed: \(error)", json: ReceiveEvent(failure: error))
            return false
        } catch {
            await progress?.finish()
            throw error
        }
        await progress?.finish()
        try await journal.record(key, name: name)
        let digest = verified.sha256.map { " sha256=\($0)" } ?? ""
        output.emit(
            "received id=\(key) partition=\(info.partition) offset=\(info.offset) size=\(verified.size ?? 0) file=\(path)\(digest)",
            json: ReceiveEvent(received: key, info: info, verified: verified, file: path))
        return true
    }

    /// `name` if it is a plain file name (no directories, not hidden, not `..`).
    static func safeName(_ name: String?) -> String? {
        guard let name, !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count <= 255 else { return nil }
        return name
    }
}

/// `barge receive --json`: one line per payload received, skipped or failed.
struct ReceiveEvent: Encodable {
    /// `received`, `skipped` or `failed`.
    var event: String
    var id: String?
    var topic: String?
    var partition: Int32?
    var offset: Int64?
    var size: Int64?
    var sha256: String?
    var file: String?
    /// For `failed`: the failure's kind (corrupt, missingChunk, expired, ...) and message.
    var kind: String?
    var message: String?

    init(received id: String, info: BargeMessageInfo, verified: BargeMessageInfo, file: String) {
        event = "received"
        self.id = id
        topic = info.topic
        partition = info.partition
        offset = info.offset
        size = verified.size ?? 0
        sha256 = verified.sha256.map { "\($0)" }
        self.file = file
    }

    init(skipped id: String, file: String) {
        event = "skipped"
        self.id = id
        self.file = file
    }

    init(failure: BargeConsumerError) {
        event = "failed"
        id = failure.id?.text
        topic = failure.topicPartition?.topic
        partition = failure.topicPartition?.partition
        offset = failure.firstOffset
        kind = "\(failure.kind)"
        message = failure.message
    }
}
