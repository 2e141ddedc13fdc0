import Barge
import Logging
import RdKafka

/// Settings of a ``LargeMessageConsumer`` over librdkafka: the Kafka
/// consumer's and the large-message ``options`` (whose settings read and
/// write as if they were this struct's own: `configuration.memoryBudget`).
@dynamicMemberLookup
public struct LargeMessageConsumerConfiguration: Sendable {
    /// The Kafka consumer underneath. Barge commits offsets itself (see
    /// docs/wire-format.md and docs/large-messages.md), so the consumer's own
    /// automatic commit and offset store are turned off.
    public var consumer: KafkaConsumerConfiguration
    /// Delivery, memory budget, expiry, commits, stores, keys, bad records.
    public var options = LargeMessageConsumerOptions()
    /// Limits applied to ``consumer`` when the consumer is made. Default:
    /// none, the Kafka configuration's own.
    public var memory: KafkaMemoryBudget?

    /// Settings for a consumer in `groupID` reading from `bootstrapServers`.
    /// Reads from the earliest offset when the group has none committed;
    /// librdkafka prefetches at most 16 MiB and the hand-off buffer holds at
    /// most 16 MiB.
    public init(bootstrapServers: [String], groupID: String) {
        consumer = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        consumer.autoOffsetReset = .earliest
        // Chunks are big: a few of them prefetched keep the pipe full.
        consumer.queuedMaxMessagesKBytes = 16 << 10
        consumer.maximumBufferedBytes = 16 << 20
    }

    /// When messages are handed to the application.
    public typealias Delivery = BargeDelivery

    /// A large-message option, e.g. `configuration.memoryBudget`.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<LargeMessageConsumerOptions, Value>) -> Value {
        get { options[keyPath: keyPath] }
        set { options[keyPath: keyPath] = newValue }
    }
}

extension LargeMessageConsumer {
    /// How long a dead-letter copy may take before the consumer gives up and stops.
    static let deadLetterTimeout: Duration = .seconds(30)

    /// Creates the consumer over librdkafka (and, under the dead-letter
    /// policy, an idempotent producer for the copies on the same
    /// connection). Throws `KafkaClientError` for rejected Kafka settings.
    public convenience init(configuration: LargeMessageConsumerConfiguration, logger: Logger = Logger(label: "barge.consumer")) throws {
        var deadLetters: RdKafkaProducerTransport?
        if case .deadLetter = configuration.badRecords {
            var producer = KafkaProducerConfiguration(bootstrapServers: configuration.consumer.connection.bootstrapServers)
            producer.connection = configuration.consumer.connection
            producer.enableIdempotence = true
            producer.messageTimeout = Self.deadLetterTimeout
            deadLetters = try RdKafkaProducerTransport(configuration: producer, logger: logger)
        }
        var consumer = configuration.consumer
        configuration.memory?.apply(to: &consumer)
        try self.init(
            transport: RdKafkaConsumerTransport(configuration: consumer, logger: logger),
            options: configuration.options, deadLetters: deadLetters, logger: logger
        )
    }
}
