import ArgumentParser
import Barge
import BargeRdKafka
import Foundation
import Logging
import RdKafka

/// `barge receive`: writes each verified payload of a topic into a directory.
struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive large messages into a directory, verified.",
        discussion: """
            Each payload is written under its sender's file name if that is a plain, visible \
            file name (no path, no control characters, at most 255 bytes) and nothing is there \
            yet; else under its message id (TOPIC-PARTITION-OFFSET for a plain record), and the \
            receipt's note says why. It is written into DIR/.barge-partial/ and renamed into \
            place once the SHA-256 matched; then its offset is committed and a line is printed \
            (with --json, one JSON object per payload, and one per failure). A journal in the \
            directory (.barge-received) keeps a message delivered again after a crash from \
            being written twice, and locks the directory against a second receiver. On a \
            terminal, a progress line on standard error follows the payload being written. Examples:
              barge receive --topic videos --bootstrap-servers 127.0.0.1:9092 --group archive --to ./in --count 3
              BARGE_GROUP=archive barge receive --config ./barge.conf --to ./in --json
              barge receive --topic models --group m --to ./in --store file:///srv/barge-objects
              barge receive --topic videos --group archive --to ./in --on-bad-record dead-letter videos.bad
              barge receive --topic legacy --group g --to ./in --interop bakdata,linkedin --store s3://bucket/

            A bad record (malformed, forged or corrupt: it can never be delivered) is reported, \
            noted in the journal and passed by default; --on-bad-record chooses. Claim checks \
            are read from --store (the reference names a bucket or directory and key; this \
            store's endpoint and credentials reach it); a reference to anything outside it is \
            a bad record. Only committed transactions are read (read_committed): a message \
            sent in a transaction that was aborted, or that is still open, is not shown; \
            --read-uncommitted shows every record, and a chunked message whose sender died \
            midway is then reported as incomplete. If the store cannot be read after retries, or the key to decrypt is \
            missing, the receiver stops (exit 69 or 1) without committing the message, so the \
            next run gets it again.

            --interop also reads records of other large-message libraries that carry no Barge \
            headers (docs/interop.md): bakdata's kafka-large-message-serde (its s3:// objects \
            read through --store), LinkedIn's li-apache-kafka-clients segments, irori's \
            claim-check interceptors (s3:// references only; Azure ones are reported as \
            unsupported). Their payloads carry no SHA-256: only sizes are checked.

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

    @Flag(name: .long, help: "Read every record, also those of aborted transactions and of transactions still open (isolation.level=read_uncommitted); by default only committed ones.")
    var readUncommitted = false

    @Option(name: .long, help: "Payload bytes to hold in memory before spilling to the temporary directory, e.g. 32MiB.")
    var memoryBudget: ByteCount = ByteCount(argument: "32MiB")!

    @Option(name: .long, help: "Also read these foreign large-message formats, comma-separated: bakdata, linkedin, irori.", transform: InteropFormat.parseList)
    var interop: Set<InteropFormat> = []

    @OptionGroup var storage: StoreOptions

    @OptionGroup var badRecords: BadRecordOptions

    @OptionGroup var output: OutputOptions

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
        let settings = try kafka.resolve().settings
        _ = try settings.require(.group, flag: group)
        _ = try badRecords.policy(settings: settings)
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
        let policy = try badRecords.policy(settings: target.settings)
        let directory = try ReceiveDirectory(path: to)
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: target.servers, groupID: group)
        target.connection.apply(to: &settings.consumer.connection)
        settings.delivery = .progressive
        settings.consumer.groupInstanceID = instanceId
        settings.consumer.isolationLevel = readUncommitted ? .readUncommitted : .readCommitted
        settings.memoryBudget = memoryBudget.value
        settings.objectStores = try storage.objectStore(settings: target.settings).map { [$0] } ?? []
        settings.encryption = try storage.keyring(settings: target.settings)
        settings.interop = interop
        // Skipping is done here, so that skipped records are still journaled.
        settings.badRecords = policy == .skip ? .report : policy
        ToolDefaults.apply(to: &settings.consumer)
        let board = ReceiveProgressBoard()
        settings.progress = { board.update($0) }
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
                } catch let error as KafkaClientError
                    where !error.isFatal && error.kind != .closed && !error.isAuthenticationFailure && !error.isAuthorizationFailure {
                    // A topic not created yet, a broker restarting: say so once and keep waiting.
                    if reported.insert(error.message).inserted {
                        FileHandle.standardError.write(Data("waiting: \(error.message)\n".utf8))
                    }
                    continue
                } catch let error as BargeConsumerError {
                    throw CommandFailure("stopped at a bad record (--on-bad-record \(policy.name)): \(error)")
                }
                switch event {
                case .failure(let error):
                    try await failed(error, directory: directory, output: out, quietly: policy == .skip && error.isBadRecord)
                case .message(let message):
                    if try await receive(message, into: directory, policy: policy, output: out, progress: board) { received += 1 }
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

    /// Writes one payload; false when the journal shows it was received
    /// before, or it failed and was passed.
    private func receive(
        _ message: BargeMessage, into directory: ReceiveDirectory, policy: BadRecordPolicy, output: CommandOutput,
        progress board: ReceiveProgressBoard
    ) async throws -> Bool {
        let info = message.info
        let key = ReceiveDirectory.key(of: info)
        if let name = directory.previousName(of: key) {
            output.report("skipped id=\(key): received before as \(name)", json: ReceiveEvent(skipped: key, file: to + "/" + name))
            return false
        }
        let placement = try directory.place(info, key: key)
        let path = to + "/" + placement.name
        let progress = ProgressLine(label: "receiving \(placement.name)", total: info.size) {
            board.bytesReceived(info.topicPartition, offset: info.offset)
        }
        defer { board.forget(info.topicPartition, offset: info.offset) }
        let verified: BargeMessageInfo
        do {
            verified = try await directory.write(message, key: key, as: placement)
            await progress?.finish()
        } catch let error as BargeConsumerError {
            await progress?.finish()
            switch error.kind {
            case .objectStore:
                throw CommandFailure("\(error)", exitCode: .unavailable)
            case .noStore, .encryption, .storage:
                throw CommandFailure("\(error)")
            case _ where error.isBadRecord && policy == .stop:
                throw CommandFailure("stopped at a bad record (--on-bad-record stop): \(error)")
            default:
                try await failed(error, directory: directory, output: output, quietly: policy == .skip)
                return false
            }
        } catch {
            await progress?.finish()
            throw error
        }
        let digest = verified.sha256.map { " sha256=\($0)" } ?? ""
        let note = placement.note.map { " note=\"\($0)\"" } ?? ""
        output.emit(
            "received id=\(key) partition=\(info.partition) offset=\(info.offset) size=\(verified.size ?? 0) file=\(path)\(digest)\(note)",
            json: ReceiveEvent(received: key, info: info, verified: verified, file: path, note: placement.note))
        return true
    }

    /// Reports a message that will not be delivered and notes it in the journal.
    private func failed(_ error: BargeConsumerError, directory: ReceiveDirectory, output: CommandOutput, quietly: Bool = false) async throws {
        let key = error.id?.text ?? error.topicPartition.map { "\($0.topic)-\($0.partition)-\(error.firstOffset ?? -1)" } ?? "unknown"
        try await directory.recordFailure(key, kind: "\(error.kind)")
        if !quietly { output.report("failed: \(error)", json: ReceiveEvent(failure: error)) }
    }
}
