import ArgumentParser
import Barge
import Foundation
import Logging
import RdKafka

/// `barge send`: sends a file or standard input as one Barge message.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a file (or standard input) as one large message.",
        discussion: """
            Prints the receipt once every record is acknowledged (with --json, as one JSON \
            object). On a terminal, a progress line on standard error shows how much of a \
            file was read, the rate and the time left. Examples:
              barge send video.mp4 --topic videos --bootstrap-servers 127.0.0.1:9092
              tar c dir | barge send - --topic backups --bootstrap-servers 127.0.0.1:9092 --compression zstd
              BARGE_TOPIC=videos barge send clip.mp4 --json    # servers from ./barge.conf

            \(SettingsHelp.precedence)

            \(SettingsHelp.exitCodes)
            """
    )

    @Argument(help: "The file to send, or - for standard input.")
    var file: String

    @OptionGroup var kafka: KafkaTopicOptions

    @Option(name: .long, help: "auto (inline when it fits the topic's record limit), inline or chunked.")
    var strategy: Strategy = .auto

    @Option(name: .long, help: "Chunk size, e.g. 960KiB (the default, fits Kafka's default record limit) or 524288.")
    var chunkSize: ByteCount = ByteCount(argument: "960KiB")!

    @Option(name: .long, help: "none, gzip, lz4, zstd or snappy, optionally with :LEVEL (zstd:9).")
    var compression: String = "none"

    @Option(name: .long, help: "The record key (UTF-8).")
    var key: String?

    @Option(name: .long, help: "The media type to record, e.g. video/mp4.")
    var contentType: String?

    @OptionGroup var output: OutputOptions

    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case auto, inline, chunked
    }

    func validate() throws {
        guard BargeCompression(named: compression) != nil else {
            throw ValidationError("--compression must be none, gzip, lz4, zstd or snappy (optionally :LEVEL), not '\(compression)'")
        }
        guard chunkSize.value > 0 else { throw ValidationError("--chunk-size must be positive") }
    }

    func run() async throws {
        let target = try kafka.resolve()
        try await reportingFailures(servers: target.servers) {
            let receipt = try await send(to: target)
            CommandOutput(output).emit(Self.text(of: receipt), json: SendResult(receipt))
        }
    }

    private func send(to target: KafkaTarget) async throws -> BargeReceipt {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: target.servers)
        settings.compression = BargeCompression(named: compression)!
        settings.policy = switch strategy {
        case .auto: .auto(chunkSize: chunkSize.value)
        case .inline: .inline
        case .chunked: .chunked(chunkSize: chunkSize.value)
        }
        ToolDefaults.apply(to: &settings.producer, chunkSize: chunkSize.value)
        let producer = try LargeMessageProducer(configuration: settings, logger: commandLogger("barge.send"))
        let keyBytes = key.map { Array($0.utf8) }
        let receipt: BargeReceipt
        do {
            if file == "-" {
                receipt = try await producer.sendStandardInput(topic: target.topic, key: keyBytes, description: PayloadDescription(contentType: contentType))
            } else {
                let name = String(file.split(separator: "/").last ?? "")
                let progress = Self.progress(of: file, name: name)
                do {
                    receipt = try await producer.send(contentsOf: file, topic: target.topic, key: keyBytes, description: PayloadDescription(fileName: name, contentType: contentType))
                } catch {
                    await progress?.finish()
                    throw error
                }
                await progress?.finish()
            }
        } catch {
            try? await producer.close()
            throw error
        }
        try await producer.close()
        return receipt
    }

    /// The progress of reading `path` (LargeMessageProducer has no progress
    /// hook, so this counts the bytes the process reads; Linux only).
    private static func progress(of path: String, name: String) -> ProgressLine? {
        guard let total = fileSize(atPath: path), let start = bytesReadByProcess() else { return nil }
        return ProgressLine(label: "sending \(name)", total: total) {
            bytesReadByProcess().map { $0 - start }
        }
    }

    static func text(of receipt: BargeReceipt) -> String {
        "sent id=\(receipt.id) topic=\(receipt.topicPartition.topic) partition=\(receipt.topicPartition.partition) offsets=\(receipt.firstOffset)...\(receipt.lastOffset) records=\(receipt.records) size=\(receipt.size) sha256=\(receipt.sha256) \(receipt.isInline ? "inline" : "chunked")"
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

    init(_ receipt: BargeReceipt) {
        id = receipt.id.text
        topic = receipt.topicPartition.topic
        partition = receipt.topicPartition.partition
        firstOffset = receipt.firstOffset
        lastOffset = receipt.lastOffset
        records = receipt.records
        size = receipt.size
        sha256 = "\(receipt.sha256)"
        strategy = receipt.isInline ? "inline" : "chunked"
    }

    enum CodingKeys: String, CodingKey {
        case id, topic, partition, records, size, sha256, strategy
        case firstOffset = "first_offset", lastOffset = "last_offset"
    }
}
