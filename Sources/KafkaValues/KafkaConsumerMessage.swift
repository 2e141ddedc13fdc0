import Foundation

/// A consumed message.
public struct KafkaConsumerMessage: Sendable {
    /// The partition it came from.
    public var topicPartition: KafkaTopicPartition
    /// Its offset.
    public var offset: Int64
    /// The key; `nil` for a null key.
    public var key: [UInt8]?
    /// The value; `nil` for a null value.
    public var value: [UInt8]?
    /// Headers, in order.
    public var headers: [KafkaHeader]
    /// The record's timestamp and what it means; `nil` if there is none.
    public var timestamp: KafkaTimestamp?

    /// A message as a consumer yields it (for tests and adapters).
    public init(
        topicPartition: KafkaTopicPartition,
        offset: Int64,
        key: [UInt8]?,
        value: [UInt8]?,
        headers: [KafkaHeader] = [],
        timestamp: KafkaTimestamp? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The topic it came from.
    public var topic: String { topicPartition.topic }
    /// The partition it came from.
    public var partition: Int32 { topicPartition.partition }

    /// Key, value and header bytes, which count against the consumer's buffer.
    package var byteCount: Int {
        KafkaHeader.recordByteCount(key: key, value: value, headers: headers)
    }
}

/// A record timestamp.
public struct KafkaTimestamp: Hashable, Sendable {
    /// What the time records.
    public enum Kind: Hashable, Sendable {
        /// When the producer created the record.
        case createTime
        /// When the broker appended it.
        case logAppendTime
    }

    /// The time.
    public var date: Date
    /// What the time records.
    public var kind: Kind

    /// A timestamp of `kind`.
    public init(date: Date, kind: Kind) {
        self.date = date
        self.kind = kind
    }
}
