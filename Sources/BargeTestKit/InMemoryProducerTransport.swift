import Barge
import KafkaValues

/// A ``ProducerTransport`` into an ``InMemoryKafka``: each record is stored
/// (or refused) at once, so its delivery report is already in.
public struct InMemoryProducerTransport: ProducerTransport {
    let kafka: InMemoryKafka
    /// Records over this size are refused, as librdkafka's `message.max.bytes` does.
    public let maximumRecordBytes: Int

    public func submit(_ record: KafkaProducerMessage) async throws -> any ProducerDelivery {
        guard record.byteCount <= maximumRecordBytes else {
            return InMemoryDelivery(result: .failure(InMemoryKafkaError.recordTooLarge(record.byteCount, limit: maximumRecordBytes)))
        }
        return InMemoryDelivery(result: Result { try kafka.append(record) })
    }

    public func partitionCount(of topic: String) async throws -> Int {
        try kafka.partitionCount(of: topic)
    }

    public func recordLimit(of topic: String) async throws -> Int? {
        try kafka.recordLimit(of: topic)
    }

    public func isTimeout(_ error: any Error) -> Bool { false }

    public func close() async throws {}
}

/// The delivery of a record to an ``InMemoryKafka``: known at once.
struct InMemoryDelivery: ProducerDelivery {
    let result: Result<KafkaDeliveryReport, any Error>

    func report() async throws -> KafkaDeliveryReport { try result.get() }

    var knownFailure: (any Error)? {
        guard case .failure(let error) = result else { return nil }
        return error
    }
}
