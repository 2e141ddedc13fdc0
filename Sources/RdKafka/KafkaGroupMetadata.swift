import CRdKafka

/// A group member's identity at one moment (group, generation, member id),
/// as librdkafka sends it with a transaction's offsets. The coordinator
/// refuses offsets whose generation a rebalance has passed, so a transaction
/// that takes its member's identity before reading its first record cannot
/// commit offsets of partitions that moved on meanwhile (KIP-447).
public final class KafkaGroupMetadata: @unchecked Sendable {
    // Immutable after creation; librdkafka only reads it.
    let pointer: OpaquePointer

    init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        rd_kafka_consumer_group_metadata_destroy(pointer)
    }
}

extension KafkaConsumer {
    /// This member's identity now; `nil` without a group id, or once the
    /// consumer is closing.
    public func groupMetadata() -> KafkaGroupMetadata? {
        guard !isClosing else { return nil }
        return rd_kafka_consumer_group_metadata(rawHandle).map(KafkaGroupMetadata.init(pointer:))
    }

    /// This member's identity now, for offsets sent with a transaction;
    /// throws `invalidConfiguration` without a group id (or once closing).
    func requireGroupMetadata() throws -> KafkaGroupMetadata {
        guard let metadata = groupMetadata() else {
            throw KafkaClientError(kind: .invalidConfiguration, message: "the consumer has no group id: its offsets cannot join a transaction")
        }
        return metadata
    }
}
