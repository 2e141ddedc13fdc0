import Barge
import Logging
import RdKafka

/// A ``ProducerTransport`` over librdkafka: records go through a
/// `KafkaProducer`, and a topic's `max.message.bytes` is asked through the
/// same client. With a `transactionalID` in its configuration it is a
/// ``TransactionalProducerTransport``: the first transaction registers the
/// id with the coordinator (fencing older producers with the same id).
public struct RdKafkaProducerTransport: TransactionalProducerTransport {
    /// The producer underneath.
    public let producer: KafkaProducer
    /// The producer's `message.max.bytes`.
    public let maximumRecordBytes: Int
    /// The producer's transactional id, if it has one.
    public let transactionalID: String?
    /// How long one lookup of a topic's partitions may take: 10 s, or the
    /// delivery timeout when that is shorter, which bounds the whole send.
    private let metadataTimeout: Duration
    /// How long a lookup is asked again while a connected cluster answers
    /// too slowly: 30 s, or the delivery timeout when that is shorter.
    private let metadataPatience: Duration
    private let transactionsReady = SerialOnce()

    /// A transport over a producer made with `configuration`. Throws
    /// `KafkaClientError` for rejected settings.
    public init(configuration: KafkaProducerConfiguration, logger: Logger) throws {
        self.init(producer: try KafkaProducer(configuration: configuration, logger: logger), configuration: configuration)
    }

    /// A transport over `producer`, which was made with `configuration`:
    /// the bridge sends large messages through the producer of its
    /// transactions, so that they join them.
    public init(producer: KafkaProducer, configuration: KafkaProducerConfiguration) {
        self.producer = producer
        maximumRecordBytes = configuration.connection.messageMaxBytes
        transactionalID = configuration.transactionalID
        metadataTimeout = min(.seconds(10), configuration.messageTimeout)
        metadataPatience = min(.seconds(30), configuration.messageTimeout)
    }

    public func beginTransaction() async throws {
        guard transactionalID != nil else {
            throw BargeProducerError(.invalidArgument, "transactions need a producer with a transactional id")
        }
        let producer = self.producer
        try await transactionsReady.run { try await producer.initTransactions() }
        try producer.beginTransaction()
    }

    public func commitTransaction() async throws {
        try await producer.commitTransaction()
    }

    public func abortTransaction() async throws {
        try await producer.abortTransaction()
    }

    public func submit(_ record: KafkaProducerMessage) async throws -> any ProducerDelivery {
        try await producer.submit(record)
    }

    public func partitionCount(of topic: String) async throws -> Int {
        try await producer.partitionCount(of: topic, timeout: metadataTimeout, patience: metadataPatience)
    }

    public func recordLimit(of topic: String) async throws -> Int? {
        try await producer.describeTopicConfig(topic)["max.message.bytes"].flatMap { Int($0) }
    }

    public func isTimeout(_ error: any Error) -> Bool {
        (error as? KafkaClientError)?.kind == .timedOut
    }

    public func close() async throws {
        try await producer.close()
    }
}

extension KafkaDelivery: ProducerDelivery {
    public var knownFailure: (any Error)? { failure }
}
