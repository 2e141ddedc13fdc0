import Barge
import Logging
import RdKafka

/// Settings of a ``LargeMessageProducer`` over librdkafka: the Kafka
/// producer's and the large-message ``options`` (whose settings read and
/// write as if they were this struct's own: `configuration.policy`).
@dynamicMemberLookup
public struct LargeMessageProducerConfiguration: Sendable {
    /// The Kafka producer underneath. Idempotence is on by default, so the
    /// chunks of a message stay in order across retries.
    public var producer: KafkaProducerConfiguration
    /// Policy, compression, claim-check store and encryption.
    public var options = LargeMessageProducerOptions()

    /// Settings for the given bootstrap servers.
    public init(bootstrapServers: [String]) {
        producer = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        producer.enableIdempotence = true
    }

    /// A large-message option, e.g. `configuration.policy`.
    public subscript<Value>(dynamicMember keyPath: WritableKeyPath<LargeMessageProducerOptions, Value>) -> Value {
        get { options[keyPath: keyPath] }
        set { options[keyPath: keyPath] = newValue }
    }
}

extension LargeMessageProducer {
    /// Creates the producer over librdkafka. Throws `KafkaClientError` for
    /// rejected Kafka settings, `BargeProducerError` for a chunk size that
    /// cannot fit a record or a claim-check policy without an object store.
    public convenience init(configuration: LargeMessageProducerConfiguration, logger: Logger = Logger(label: "barge.producer")) throws {
        try self.init(
            transport: RdKafkaProducerTransport(configuration: configuration.producer, logger: logger),
            options: configuration.options, logger: logger
        )
    }
}
