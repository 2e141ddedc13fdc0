import Foundation

/// A message to produce.
public struct KafkaProducerMessage: Sendable {
    /// The topic to produce to.
    public var topic: String
    /// The partition; `nil` lets the partitioner pick one from the key.
    public var partition: Int32?
    /// The key; `nil` is Kafka's null key.
    public var key: [UInt8]?
    /// The value; `nil` is Kafka's null value (a tombstone).
    public var value: [UInt8]?
    /// Headers, in order; names may repeat.
    public var headers: [KafkaHeader]
    /// The record's create time; `nil` uses the time of sending.
    public var timestamp: Date?

    /// A message for `topic`.
    public init(
        topic: String,
        partition: Int32? = nil,
        key: [UInt8]? = nil,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestamp: Date? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// Key, value and header bytes: what the message counts against the
    /// producer's in-flight budget.
    package var byteCount: Int {
        KafkaHeader.recordByteCount(key: key, value: value, headers: headers)
    }
}

/// Where a produced message was stored.
public struct KafkaDeliveryReport: Hashable, Sendable {
    /// The topic and partition it was written to.
    public var topicPartition: KafkaTopicPartition
    /// Its offset in the partition; `nil` with `acks=0`.
    public var offset: Int64?
    /// The record's timestamp as stored, if librdkafka reports one.
    public var timestamp: Date?

    /// A report that the message went to `topicPartition` at `offset`.
    public init(topicPartition: KafkaTopicPartition, offset: Int64?, timestamp: Date? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.timestamp = timestamp
    }
}
