import Barge
import BargeRdKafka
import RdKafka

/// The workload and the Kafka settings of `barge bench large`, in one place
/// so the plain and the Barge side run with the same ones: the producer and
/// consumer limits are those of `barge send` and `barge receive` (kept in
/// step with SendCommand.swift and ReceiveCommand.swift), so the benchmark
/// measures what the tools ship with.
struct LargeBenchSettings: Sendable {
    let bootstrapServers: String
    /// Bytes of the payload.
    let size: Int64
    /// Bytes of every plain record and every Barge chunk but the last.
    let chunkSize: Int

    /// Producers' `message.max.bytes`: a chunk plus room for headers and
    /// batch framing, at least librdkafka's default (as `barge send`).
    var messageMaxBytes: Int { producerConfiguration().connection.messageMaxBytes }
    /// The topics' `max.message.bytes`: room for a record of
    /// ``messageMaxBytes``.
    var topicConfigs: [String: String] { ["max.message.bytes": String(messageMaxBytes + (64 << 10))] }

    /// Both producers: `barge send`'s limits (``ToolDefaults``: idempotent,
    /// acks=all, at most 8 MiB in flight and in librdkafka's queue).
    func producerConfiguration() -> KafkaProducerConfiguration {
        var configuration = LargeMessageProducerConfiguration(bootstrapServers: [bootstrapServers]).producer
        configuration.connection.clientID = "barge-bench"
        ToolDefaults.apply(to: &configuration, chunkSize: chunkSize)
        return configuration
    }

    /// Both consumers: `barge receive`'s limits (``ToolDefaults``), in a
    /// group of their own that is only used for assigned partitions.
    func consumerConfiguration(groupID: String) -> KafkaConsumerConfiguration {
        var configuration = LargeMessageConsumerConfiguration(bootstrapServers: [bootstrapServers], groupID: groupID).consumer
        configuration.connection.clientID = "barge-bench"
        configuration.enableAutoCommit = false
        configuration.automaticOffsetStore = false
        ToolDefaults.apply(to: &configuration)
        return configuration
    }

    /// The Barge consumer's memory budget (as `barge receive`'s default).
    let memoryBudget = 32 << 20

    /// The librdkafka settings above, as `key=value` words for the output.
    var describedSettings: String {
        let producer = producerConfiguration()
        let consumer = consumerConfiguration(groupID: "-")
        return "producer: acks=all enable.idempotence=\(producer.enableIdempotence) linger.ms=\(Self.milliseconds(producer.linger))"
            + " batch.size=\(producer.batchSize) queue.buffering.max.kbytes=\(producer.queueBufferingMaxKBytes)"
            + " message.max.bytes=\(producer.connection.messageMaxBytes), at most \(producer.maximumInFlightBytes >> 20) MiB in flight;"
            + " consumer: fetch.max.bytes=\(consumer.fetchMaxBytes) max.partition.fetch.bytes=\(consumer.maxPartitionFetchBytes)"
            + " queued.max.messages.kbytes=\(consumer.queuedMaxMessagesKBytes), at most \(consumer.maximumBufferedBytes >> 20) MiB buffered"
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
