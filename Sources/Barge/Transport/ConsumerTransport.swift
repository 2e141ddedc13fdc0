import KafkaValues

/// How a ``LargeMessageConsumer`` reaches Kafka: joins a group or reads
/// assigned partitions, takes records one at a time, reads and commits a
/// group's offsets. `BargeRdKafka` implements it over librdkafka;
/// `BargeTestKit` in memory. The large-message consumer commits itself:
/// a transport must not commit on its own.
public protocol ConsumerTransport: Sendable {
    /// Joins the consumer group for `topics`. `onRebalance` runs for every
    /// change of the assignment, to completion, before revoked partitions
    /// are given up (so it may commit), and must not wait for records.
    func subscribe(topics: [String], onRebalance: @escaping @Sendable (KafkaRebalanceEvent) async -> Void) throws
    /// Reads exactly these partitions from these offsets (no group rebalances).
    func assign(_ offsets: [KafkaPartitionOffset]) async throws
    /// The partitions read now.
    func assignment() async throws -> [KafkaTopicPartition]
    /// The next record, waiting at most `timeout` for one.
    func nextRecord(timeout: Duration) async throws -> ConsumerPoll
    /// The group's committed offsets (with their metadata) of `partitions`.
    func committed(_ partitions: [KafkaTopicPartition]) async throws -> [KafkaPartitionOffset]
    /// Commits `offsets` (with their metadata) and waits for the answer.
    func commit(_ offsets: [KafkaPartitionOffset]) async throws
    /// Starts a commit of `offsets` without waiting for it.
    func commitAsync(_ offsets: [KafkaPartitionOffset]) throws
    /// Leaves the group and releases the connection; ``nextRecord(timeout:)``
    /// answers ``ConsumerPoll/closed`` from then on.
    func close() async
}

/// What ``ConsumerTransport/nextRecord(timeout:)`` found.
public enum ConsumerPoll: Sendable {
    /// A record.
    case record(KafkaConsumerMessage)
    /// No record within the timeout.
    case timedOut
    /// The transport is closed.
    case closed
}
