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
    /// Limits applied to ``producer`` when the producer is made (records
    /// then fit the largest chunk of any policy). Default: none, the Kafka
    /// configuration's own.
    public var memory: KafkaMemoryBudget?

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
        var producer = configuration.producer
        if let memory = configuration.memory {
            let largestChunk = ([configuration.policy] + configuration.topicPolicies.values).map(\.chunkSize).max() ?? configuration.policy.chunkSize
            memory.apply(to: &producer, chunkSize: largestChunk)
        }
        try self.init(
            transport: RdKafkaProducerTransport(configuration: producer, logger: logger),
            options: configuration.options, logger: logger
        )
    }
}
