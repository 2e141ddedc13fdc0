/// A consumed record whose value is not copied: key, headers and timestamp
/// are Swift values, the value stays in librdkafka's fetch buffer
/// (``KafkaRecordValue``). ``KafkaConsumer/nextRecord(timeout:)`` yields
/// them, for callers that move large values elsewhere and should hold each
/// only once, as the bridge does.
public struct KafkaConsumerRecord: Sendable {
    /// The partition it came from.
    public let topicPartition: KafkaTopicPartition
    /// Its offset.
    public let offset: Int64
    /// The key; `nil` for a null key.
    public let key: [UInt8]?
    /// The value, in librdkafka's buffer; `nil` for a null value.
    public let value: KafkaRecordValue?
    /// Headers, in order.
    public let headers: [KafkaHeader]
    /// The record's timestamp and what it means; `nil` if there is none.
    public let timestamp: KafkaTimestamp?

    /// The topic it came from.
    public var topic: String { topicPartition.topic }
    /// The partition it came from.
    public var partition: Int32 { topicPartition.partition }

    /// The record with its value copied, as ``KafkaConsumer/messages``
    /// yields it. Throws `valueReleased` once the value was released.
    public func message() throws -> KafkaConsumerMessage {
        KafkaConsumerMessage(
            topicPartition: topicPartition, offset: offset, key: key, value: try value?.bytes(), headers: headers, timestamp: timestamp
        )
    }
}
