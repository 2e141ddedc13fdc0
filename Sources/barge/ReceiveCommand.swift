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
            once the SHA-256 matched; then its offset is committed and a line is printed. \
            A journal in the directory (.barge-received) keeps a message delivered again \
            after a crash from being written twice. Example:
              barge receive --topic videos --bootstrap-servers 127.0.0.1:9092 --group archive --to ./in --count 3
            """
    )

    @OptionGroup var kafka: KafkaTopicOptions

    @Option(name: .long, help: "The consumer group.")
    var group: String

    @Option(name: .long, help: "The directory to write payloads into (created if missing).")
    var to: String

    @Option(name: .long, help: "A static group member id (group.instance.id): a restarted receiver with the same id takes its place at once instead of after the session timeout.")
    var instanceId: String?

    @Option(name: .long, help: "Exit after this many payloads (default: run until interrupted).")
    var count: Int?

    @Option(name: .long, help: "Payload bytes to hold in memory before spilling to the temporary directory, e.g. 32MiB.")
    var memoryBudget: ByteCount = ByteCount(argument: "32MiB")!

    func validate() throws {
        if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    }

    func run() async throws {
        do {
            try FileManager.default.createDirectory(atPath: to, withIntermediateDirectories: true)
        } catch {
            throw CommandFailure("cannot create \(to): \(error.localizedDescription)")
        }
        var journal = try ReceivedJournal(directory: to)
        journal.removePartialFiles()
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: kafka.servers, groupID: group)
        settings.delivery = .progressive
        settings.consumer.groupInstanceID = instanceId
        settings.memoryBudget = memoryBudget.value
        settings.consumer.maxPartitionFetchBytes = 2 << 20
        settings.consumer.fetchMaxBytes = 4 << 20
        settings.consumer.queuedMaxMessagesKBytes = 4096
        settings.consumer.maximumBufferedBytes = 8 << 20
        let consumer = try LargeMessageConsumer(configuration: settings, logger: commandLogger("barge.receive"))
        try consumer.subscribe(topics: [kafka.topic])
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
                    FileHandle.standardError.write(Data("failed: \(error)\n".utf8))
                case .message(let message):
                    if try await receive(message, journal: &journal) { received += 1 }
                    try await consumer.commit()
                }
                if let count, received >= count { break }
            }
        } catch {
            await consumer.close()
            throw CommandFailure("\(error)")
        }
        await consumer.close()
    }

    /// Writes one payload; false when the journal shows it was received before.
    private func receive(_ message: BargeMessage, journal: inout ReceivedJournal) async throws -> Bool {
        let info = message.info
        let key = info.id?.text ?? "\(info.topic)-\(info.partition)-\(info.offset)"
        if let name = journal.name(of: key) {
            FileHandle.standardError.write(Data("skipped id=\(key): received before as \(name)\n".utf8))
            return false
        }
        var name = Self.safeName(info.fileName) ?? key
        if journal.isTaken(name) { name = "\(key)-\(name)" }
        let path = to + "/" + name
        let verified: BargeMessageInfo
        do {
            verified = try await message.write(to: path)
        } catch let error as BargeConsumerError where error.kind != .storage {
            FileHandle.standardError.write(Data("failed: \(error)\n".utf8))
            return false
        }
        try await journal.record(key, name: name)
        let digest = verified.sha256.map { " sha256=\($0)" } ?? ""
        print("received id=\(key) partition=\(info.partition) offset=\(info.offset) size=\(verified.size ?? 0) file=\(path)\(digest)")
        return true
    }

    /// `name` if it is a plain file name (no directories, not hidden, not `..`).
    static func safeName(_ name: String?) -> String? {
        guard let name, !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count <= 255 else { return nil }
        return name
    }
}
