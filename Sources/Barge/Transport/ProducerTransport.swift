import KafkaValues

/// How a ``LargeMessageProducer`` reaches Kafka: hands records over, learns
/// where they were stored, and asks the cluster about a topic. `BargeRdKafka`
/// implements it over librdkafka; `BargeTestKit` in memory.
public protocol ProducerTransport: Sendable {
    /// Hands `record` over and returns once the transport has taken it (it
    /// may wait for room in a bounded in-flight window); the returned delivery
    /// reports where the record was stored.
    func submit(_ record: KafkaProducerMessage) async throws -> any ProducerDelivery
    /// The number of partitions of `topic`.
    func partitionCount(of topic: String) async throws -> Int
    /// The topic's record limit (its `max.message.bytes`); `nil` when the
    /// cluster does not say.
    func recordLimit(of topic: String) async throws -> Int?
    /// The largest record this client sends (librdkafka's `message.max.bytes`).
    var maximumRecordBytes: Int { get }
    /// Whether `error` (thrown by a delivery) means the cluster stopped
    /// answering, so that a further record would only wait as long again.
    func isTimeout(_ error: any Error) -> Bool
    /// Waits for every record handed over, then releases the connection.
    func close() async throws
}

/// A record handed to a ``ProducerTransport`` whose delivery report may
/// still be coming.
public protocol ProducerDelivery: Sendable {
    /// Waits for the report: where the record was stored, or why it failed.
    func report() async throws -> KafkaDeliveryReport
    /// Why the record failed, if its report is in and says so (without waiting).
    var knownFailure: (any Error)? { get }
}

extension ProducerTransport {
    /// Hands `record` over and waits for its delivery report.
    @discardableResult
    func send(_ record: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        try await submit(record).report()
    }
}
