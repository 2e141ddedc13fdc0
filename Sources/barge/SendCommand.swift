import ArgumentParser
import Barge
import Logging
import RdKafka

/// `barge send`: sends a file or standard input as one Barge message.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a file (or standard input) as one large message.",
        discussion: """
            Prints the receipt once every record is acknowledged. Examples:
              barge send video.mp4 --topic videos --bootstrap-servers 127.0.0.1:9092
              tar c dir | barge send - --topic backups --bootstrap-servers 127.0.0.1:9092 --compression zstd
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
        var settings = LargeMessageProducerConfiguration(bootstrapServers: kafka.servers)
        settings.compression = BargeCompression(named: compression)!
        settings.policy = switch strategy {
        case .auto: .auto(chunkSize: chunkSize.value)
        case .inline: .inline
        case .chunked: .chunked(chunkSize: chunkSize.value)
        }
        settings.producer.messageTimeout = .seconds(30)
        // Bounded memory: a few chunks in flight are enough to keep the broker busy.
        settings.producer.maximumInFlightBytes = 8 << 20
        settings.producer.queueBufferingMaxKBytes = 8 << 10
        settings.producer.connection.messageMaxBytes = max(settings.producer.connection.messageMaxBytes, chunkSize.value + (64 << 10))
        let producer = try LargeMessageProducer(configuration: settings, logger: commandLogger("barge.send"))
        let keyBytes = key.map { Array($0.utf8) }
        let receipt: BargeReceipt
        do {
            if file == "-" {
                receipt = try await producer.sendStandardInput(topic: kafka.topic, key: keyBytes, description: PayloadDescription(contentType: contentType))
            } else {
                let name = String(file.split(separator: "/").last ?? "")
                receipt = try await producer.send(contentsOf: file, topic: kafka.topic, key: keyBytes, description: PayloadDescription(fileName: name, contentType: contentType))
            }
        } catch {
            try? await producer.close()
            throw CommandFailure("\(error)")
        }
        try await producer.close()
        print("sent id=\(receipt.id) topic=\(receipt.topicPartition.topic) partition=\(receipt.topicPartition.partition) offsets=\(receipt.firstOffset)...\(receipt.lastOffset) records=\(receipt.records) size=\(receipt.size) sha256=\(receipt.sha256) \(receipt.isInline ? "inline" : "chunked")")
    }
}
