import Barge
import Logging
import NIOConcurrencyHelpers
import RdKafka

/// A ``ConsumerTransport`` over librdkafka's `KafkaConsumer`, with its own
/// automatic commit and offset store turned off (the large-message consumer
/// commits itself).
public final class RdKafkaConsumerTransport: ConsumerTransport {
    /// The consumer underneath.
    public let consumer: KafkaConsumer
    /// The hook ``subscribe(topics:onRebalance:)`` was given: librdkafka
    /// takes its rebalance callback when the client is made, before anyone
    /// subscribes.
    private let rebalanceListener: NIOLockedValueBox<(@Sendable (KafkaRebalanceEvent) async -> Void)?>

    /// A transport over a consumer made with `configuration`. Throws
    /// `KafkaClientError` for rejected settings.
    public init(configuration: KafkaConsumerConfiguration, logger: Logger) throws {
        var configuration = configuration
        configuration.enableAutoCommit = false
        configuration.automaticOffsetStore = false
        let listener = NIOLockedValueBox<(@Sendable (KafkaRebalanceEvent) async -> Void)?>(nil)
        consumer = try KafkaConsumer(configuration: configuration, rebalanceHandler: { event, _ in
            await listener.withLockedValue { $0 }?(event)
        }, logger: logger)
        rebalanceListener = listener
    }

    public func subscribe(topics: [String], onRebalance: @escaping @Sendable (KafkaRebalanceEvent) async -> Void) throws {
        rebalanceListener.withLockedValue { $0 = onRebalance }
        try consumer.subscribe(topics: topics)
    }

    public func assign(_ offsets: [KafkaPartitionOffset]) async throws {
        try await consumer.assign(offsets)
    }

    public func assignment() async throws -> [KafkaTopicPartition] {
        try await consumer.assignment()
    }

    public func nextRecord(timeout: Duration) async throws -> ConsumerPoll {
        do {
            return try await consumer.nextMessage(timeout: timeout).map { .record($0) } ?? .timedOut
        } catch let error as KafkaClientError where error.kind == .closed {
            return .closed
        }
    }

    public func committed(_ partitions: [KafkaTopicPartition]) async throws -> [KafkaPartitionOffset] {
        try await consumer.committed(partitions)
    }

    public func commit(_ offsets: [KafkaPartitionOffset]) async throws {
        try await consumer.commit(offsets)
    }

    public func commitAsync(_ offsets: [KafkaPartitionOffset]) throws {
        try consumer.commitAsync(offsets)
    }

    public func close() async {
        await consumer.close()
    }
}
