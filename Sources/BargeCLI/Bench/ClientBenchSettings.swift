import RdKafka

/// The workload and the client settings of `barge bench client`, in one
/// place so both clients run with the same ones: the Swift client gets them
/// as typed configuration, confluent-kafka as the same librdkafka properties.
struct ClientBenchSettings: Sendable {
    /// Records produced, then consumed, per client and round.
    var records: Int
    /// Bytes of each record's value (random, incompressible; no key).
    var recordSize: Int

    /// Producers' `message.max.bytes` and the topics' `max.message.bytes`:
    /// room for a record and its batch overhead, at least 10 MB.
    var messageMaxBytes: Int { max(10_000_000, 2 * recordSize) }
    /// Producers' `linger.ms`.
    let lingerMilliseconds = 5
    /// Producers' `batch.size` (librdkafka's default).
    let batchSize = 1_000_000
    /// Producers' `queue.buffering.max.kbytes` (librdkafka's default).
    let queueBufferingMaxKBytes = 1_048_576
    /// Consumers' `fetch.max.bytes`: librdkafka's default, or one record.
    var fetchMaxBytes: Int { max(52_428_800, messageMaxBytes) }
    /// Consumers' `max.partition.fetch.bytes`: 10 MiB, or one record.
    var maxPartitionFetchBytes: Int { max(10_485_760, messageMaxBytes) }
    /// Consumers' `receive.message.max.bytes`: a full fetch plus one record
    /// (a broker returns a first record larger than the fetch limit whole).
    var receiveMessageMaxBytes: Int { max(100_000_000, fetchMaxBytes + messageMaxBytes) }
    /// Consumers' `fetch.wait.max.ms` (librdkafka's default).
    let fetchWaitMaxMilliseconds = 500
    /// Consumers' `queued.max.messages.kbytes` (librdkafka's default).
    let queuedMaxMessagesKBytes = 65_536

    /// Configs of every benchmark topic.
    var topicConfigs: [String: String] { ["max.message.bytes": String(messageMaxBytes)] }

    /// Bytes of record values per client and round.
    var totalBytes: Int { records * recordSize }

    // MARK: Swift client

    /// The Swift producer: acks=all, no compression, no idempotence.
    func producerConfiguration(bootstrapServers: String) -> KafkaProducerConfiguration {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [bootstrapServers])
        configuration.connection.clientID = "barge-bench"
        configuration.connection.messageMaxBytes = messageMaxBytes
        configuration.acks = .all
        configuration.enableIdempotence = false
        configuration.compression = .none
        configuration.linger = .milliseconds(lingerMilliseconds)
        configuration.batchSize = batchSize
        configuration.queueBufferingMaxKBytes = queueBufferingMaxKBytes
        return configuration
    }

    /// The Swift consumer: a group of its own that never commits or stores
    /// offsets (it is only used in assign mode).
    func consumerConfiguration(bootstrapServers: String, groupID: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [bootstrapServers], groupID: groupID)
        configuration.connection.clientID = "barge-bench"
        configuration.connection.receiveMessageMaxBytes = receiveMessageMaxBytes
        configuration.autoOffsetReset = .earliest
        configuration.enableAutoCommit = false
        configuration.automaticOffsetStore = false
        configuration.fetchMaxBytes = fetchMaxBytes
        configuration.maxPartitionFetchBytes = maxPartitionFetchBytes
        configuration.fetchWaitMax = .milliseconds(fetchWaitMaxMilliseconds)
        configuration.queuedMaxMessagesKBytes = queuedMaxMessagesKBytes
        return configuration
    }

    // MARK: confluent-kafka

    /// The same producer settings as librdkafka properties.
    var producerProperties: [String: String] {
        [
            "client.id": "barge-bench",
            "message.max.bytes": String(messageMaxBytes),
            "acks": "all",
            "enable.idempotence": "false",
            "compression.codec": "none",
            "linger.ms": String(lingerMilliseconds),
            "batch.size": String(batchSize),
            "queue.buffering.max.kbytes": String(queueBufferingMaxKBytes),
        ]
    }

    /// The same consumer settings as librdkafka properties (the helper adds
    /// its own `group.id`).
    var consumerProperties: [String: String] {
        [
            "client.id": "barge-bench",
            "receive.message.max.bytes": String(receiveMessageMaxBytes),
            "auto.offset.reset": "earliest",
            "enable.auto.commit": "false",
            "enable.auto.offset.store": "false",
            "fetch.max.bytes": String(fetchMaxBytes),
            "max.partition.fetch.bytes": String(maxPartitionFetchBytes),
            "fetch.wait.max.ms": String(fetchWaitMaxMilliseconds),
            "queued.max.messages.kbytes": String(queuedMaxMessagesKBytes),
        ]
    }
}
