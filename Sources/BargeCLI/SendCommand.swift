import ArgumentParser
import Barge
import BargeRdKafka
import FileIO
import Foundation
import Logging
import RdKafka

/// `barge send`: sends files or standard input, each as one Barge message,
/// optionally all in one Kafka transaction.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send files (or standard input), each as one large message.",
        discussion: """
            Prints a receipt per file once every record is acknowledged (with --json, one JSON \
            object per line). With --transactional-id the files go in one Kafka transaction: \
            read_committed consumers (barge receive's default) see all of them or none, also \
            when the send is killed midway. On a terminal, a progress line on standard error shows how much of a \
            file was read, the rate and the time left. Examples:
              barge send video.mp4 --topic videos --bootstrap-servers 127.0.0.1:9092
              tar c dir | barge send - --topic backups --bootstrap-servers 127.0.0.1:9092 --compression zstd
              BARGE_TOPIC=videos barge send clip.mp4 --json    # servers from ./barge.conf
              barge send model.bin --topic models --strategy claim-check --store file:///srv/barge-objects
              barge send film.mkv --topic films --claim-check-above 64MiB --store 's3://media/claims?endpoint=http://127.0.0.1:8333'
              barge send clip.mp4 thumb.jpg --topic media --transactional-id media-uploader

            \(SettingsHelp.precedence)

            \(SettingsHelp.exitCodes)
            """
    )

    @Argument(help: "The files to send, or - for standard input.")
    var files: [String]

    @OptionGroup var kafka: KafkaTopicOptions

    @Option(name: .long, help: "auto (inline when it fits the topic's record limit, else chunked, or a claim check from --claim-check-above), inline, chunked or claim-check (the payload goes to --store, a reference record to Kafka).")
    var strategy: Strategy = .auto

    @Option(name: .long, help: "With --strategy auto: payloads of at least this size, e.g. 64MiB, go as claim checks to --store.")
    var claimCheckAbove: ByteCount?

    @Option(name: .long, help: "Chunk size, e.g. 960KiB (the default, fits Kafka's default record limit) or 524288.")
    var chunkSize: ByteCount = ByteCount(argument: "960KiB")!

    @Option(name: .long, help: "none, gzip, lz4, zstd or snappy, optionally with :LEVEL (zstd:9).")
    var compression: String = "none"

    @Option(name: .long, help: "The record key (UTF-8).")
    var key: String?

    @Option(name: .long, help: "The media type to record, e.g. video/mp4.")
    var contentType: String?

    @Option(name: .long, help: "How long the broker may leave records unacknowledged before the send fails with exit 69 (librdkafka's message.timeout.ms), e.g. 30s or 2m.")
    var deliveryTimeout: DurationArgument = DurationArgument(argument: "30s")!

    @Option(name: .long, help: "Send every file in one transaction under this transactional id (librdkafka's transactional.id): all become visible to read_committed consumers at once, or none. A later producer with the same id fences this one.")
    var transactionalId: String?

    @Option(name: .long, help: "With --transactional-id: how long the transaction may stay open before the broker aborts it (transaction.timeout.ms), e.g. 5m.")
    var transactionTimeout: DurationArgument = DurationArgument(argument: "5m")!

    @OptionGroup var storage: StoreOptions

    @OptionGroup var output: OutputOptions

    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case auto, inline, chunked
        case claimCheck = "claim-check"
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("name a file to send, or - for standard input") }
        guard files.count == 1 || !files.contains("-") else { throw ValidationError("standard input (-) can only be sent alone") }
        if let transactionalId, transactionalId.isEmpty { throw ValidationError("--transactional-id must not be empty") }
        guard BargeCompression(named: compression) != nil else {
            throw ValidationError("--compression must be none, gzip, lz4, zstd or snappy (optionally :LEVEL), not '\(compression)'")
        }
        guard chunkSize.value > 0 else { throw ValidationError("--chunk-size must be positive") }
        guard deliveryTimeout.value >= .seconds(1) else { throw ValidationError("--delivery-timeout must be at least 1s") }
        if let claimCheckAbove {
            guard strategy == .auto else { throw ValidationError("--claim-check-above goes with --strategy auto") }
            guard claimCheckAbove.value > 0 else { throw ValidationError("--claim-check-above must be positive") }
        }
    }

    func run() async throws {
        let target = try kafka.resolve()
        try await reportingFailures(servers: target.servers) {
            for receipt in try await send(to: target) {
                CommandOutput(output).emit(Self.text(of: receipt), json: SendResult(receipt))
            }
        }
    }

    private func send(to target: KafkaTarget) async throws -> [BargeReceipt] {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: target.servers)
        target.connection.apply(to: &settings.producer.connection)
        settings.compression = BargeCompression(named: compression)!
        settings.policy = switch strategy {
        case .auto: .auto(chunkSize: chunkSize.value, claimCheckAbove: claimCheckAbove.map { Int64($0.value) })
        case .inline: .inline
        case .chunked: .chunked(chunkSize: chunkSize.value)
        case .claimCheck: .claimCheck
        }
        settings.objectStore = try storage.objectStore(settings: target.settings)
        if settings.policy.usesClaimCheck && settings.objectStore == nil {
            throw ValidationError("claim checks need an object store: pass --store URL, set BARGE_STORE, or put 'store = URL' in a config file")
        }
        settings.encryption = try storage.keyring(settings: target.settings)
        ToolDefaults.apply(to: &settings.producer, chunkSize: chunkSize.value)
        settings.producer.messageTimeout = deliveryTimeout.value
        settings.producer.transactionalID = transactionalId
        settings.producer.transactionTimeout = transactionTimeout.value
        let bytesRead = ProgressCounter()
        settings.progress = { bytesRead.update($0.bytesRead) }
        let producer = try LargeMessageProducer(configuration: settings, logger: commandLogger("barge.send"))
        let receipts: [BargeReceipt]
        do {
            if transactionalId != nil {
                receipts = try await producer.inTransaction { try await sendEach(with: producer, to: target, bytesRead: bytesRead) }
            } else {
                receipts = try await sendEach(with: producer, to: target, bytesRead: bytesRead)
            }
        } catch {
            try? await producer.close()
            throw error
        }
        try await producer.close()
        return receipts
    }

    private func sendEach(with producer: LargeMessageProducer, to target: KafkaTarget, bytesRead: ProgressCounter) async throws -> [BargeReceipt] {
        let keyBytes = key.map { Array($0.utf8) }
        if files == ["-"] {
            return [try await producer.sendStandardInput(topic: target.topic, key: keyBytes, description: PayloadDescription(contentType: contentType))]
        }
        var receipts: [BargeReceipt] = []
        for file in files {
            let name = String(file.split(separator: "/").last ?? "")
            bytesRead.update(0)
            let progress = (try? PosixFileSystem().fileSize(file)).flatMap { total in
                ProgressLine(label: "sending \(name)", total: Int64(total)) { bytesRead.value }
            }
            do {
                receipts.append(try await producer.send(contentsOf: file, topic: target.topic, key: keyBytes,
                                                        description: PayloadDescription(fileName: name, contentType: contentType)))
            } catch {
                await progress?.finish()
                throw error
            }
            await progress?.finish()
        }
        return receipts
    }

    static func text(of receipt: BargeReceipt) -> String {
        "sent id=\(receipt.id) topic=\(receipt.topicPartition.topic) partition=\(receipt.topicPartition.partition) offsets=\(receipt.firstOffset)...\(receipt.lastOffset) records=\(receipt.records) size=\(receipt.size) sha256=\(receipt.sha256) \(receipt.strategyName)" + (receipt.objectURL.map { " object=\($0)" } ?? "")
    }
}

/// `barge send --json`: the receipt.
struct SendResult: Encodable {
    var id: String
    var topic: String
    var partition: Int32
    var firstOffset: Int64
    var lastOffset: Int64
    var records: Int
    var size: Int64
    var sha256: String
    var strategy: String
    var object: String?

    init(_ receipt: BargeReceipt) {
        id = receipt.id.text
        topic = receipt.topicPartition.topic
        partition = receipt.topicPartition.partition
        firstOffset = receipt.firstOffset
        lastOffset = receipt.lastOffset
        records = receipt.records
        size = receipt.size
        sha256 = "\(receipt.sha256)"
        strategy = receipt.strategyName
        object = receipt.objectURL
    }

    enum CodingKeys: String, CodingKey {
        case id, topic, partition, records, size, sha256, strategy, object
        case firstOffset = "first_offset", lastOffset = "last_offset"
    }
}
