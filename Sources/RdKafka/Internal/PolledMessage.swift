import CRdKafka

/// A message as `rd_kafka_consumer_poll` returned it, owned until the last
/// reference goes: the poll thread only wraps it, and the reading task
/// copies it into a ``KafkaConsumerMessage`` (so the copy runs beside the
/// next poll instead of delaying it) or hands its value on uncopied in a
/// ``KafkaConsumerRecord``. Its bytes count against the consumer's buffer
/// until it goes.
final class PolledMessage: BufferedMessage, @unchecked Sendable {
    /// Owned; destroyed in `deinit` (librdkafka allows that from any thread).
    private let pointer: UnsafeMutablePointer<rd_kafka_message_t>
    let topicPartition: KafkaTopicPartition
    let offset: Int64
    let byteCount: Int
    /// Told the byte count when the message goes.
    private let onRelease: @Sendable (Int) -> Void

    /// Takes ownership of `pointer`, a message without error; `onRelease`
    /// is told its byte count when it is destroyed.
    init(taking pointer: UnsafeMutablePointer<rd_kafka_message_t>, onRelease: @escaping @Sendable (Int) -> Void) {
        self.pointer = pointer
        self.onRelease = onRelease
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
        onRelease(byteCount)
    }

    /// The message as Swift values: key and value copied once.
    func converted() -> KafkaConsumerMessage {
        RDKafkaMessage.message(from: pointer, topicPartition: topicPartition)
    }

    /// The message with its key and headers as Swift values and its value
    /// left in librdkafka's buffer, held by this message.
    func record() -> KafkaConsumerRecord {
        let record = pointer.pointee
        return KafkaConsumerRecord(
            topicPartition: topicPartition,
            offset: offset,
            key: RDKafkaMessage.bytes(record.key, record.key_len),
            value: record.payload == nil ? nil : KafkaRecordValue(self, count: record.len),
            headers: RDKafkaMessage.headers(of: pointer),
            timestamp: RDKafkaMessage.timestamp(of: pointer)
        )
    }

    /// Runs `body` with the value's bytes (empty for a null value).
    func withUnsafeValue<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        let record = pointer.pointee
        return try body(UnsafeRawBufferPointer(start: record.payload, count: record.payload == nil ? 0 : record.len))
    }
}
