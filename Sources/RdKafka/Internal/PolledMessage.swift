import CRdKafka

/// A message as `rd_kafka_consumer_poll` returned it, owned until the last
/// reference goes: the poll thread only wraps it, and the reading task
/// copies it into a ``KafkaConsumerMessage``, so the copy runs beside the
/// next poll instead of delaying it.
final class PolledMessage: BufferedMessage, @unchecked Sendable {
    /// Owned; destroyed in `deinit` (librdkafka allows that from any thread).
    private let pointer: UnsafeMutablePointer<rd_kafka_message_t>
    let topicPartition: KafkaTopicPartition
    let offset: Int64
    let byteCount: Int

    /// Takes ownership of `pointer`, a message without error.
    init(taking pointer: UnsafeMutablePointer<rd_kafka_message_t>) {
        self.pointer = pointer
        let record = pointer.pointee
        topicPartition = KafkaTopicPartition(
            topic: RDKafkaMessage.topicName(record),
            partition: record.partition
        )
        offset = record.offset
        byteCount = record.len + record.key_len
    }

    deinit {
        rd_kafka_message_destroy(pointer)
    }

    /// The message as Swift values: key and value copied once.
    func converted() -> KafkaConsumerMessage {
        RDKafkaMessage.message(from: pointer, topicPartition: topicPartition)
    }
}
