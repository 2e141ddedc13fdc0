/// A partition of a topic.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// The topic's name.
    public var topic: String
    /// The partition's index.
    public var partition: Int32

    /// The partition `partition` of `topic`.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)-\(partition)" }
}

/// A position in a partition, with the metadata string Kafka keeps beside a
/// committed offset.
public struct KafkaPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    /// The partition.
    public var topicPartition: KafkaTopicPartition
    /// The offset: for a commit, the next offset to consume. Negative values
    /// are librdkafka's logical offsets (see ``KafkaOffset``).
    public var offset: Int64
    /// The metadata committed with the offset; `nil` when there is none.
    public var metadata: String?

    /// An offset in `topicPartition`, with optional commit metadata.
    public init(_ topicPartition: KafkaTopicPartition, offset: Int64, metadata: String? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.metadata = metadata
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}

/// librdkafka's logical offsets.
public enum KafkaOffset {
    /// The oldest retained offset.
    public static let beginning: Int64 = -2
    /// The end of the partition (the next offset to be written).
    public static let end: Int64 = -1
    /// The committed offset, or `auto.offset.reset` without one.
    public static let stored: Int64 = -1000
    /// No offset: nothing committed, or no position yet.
    public static let invalid: Int64 = -1001
}

/// A partition's oldest retained offset and its next offset to be written.
public struct KafkaWatermarks: Hashable, Sendable {
    /// The oldest retained offset.
    public var low: Int64
    /// The offset the next message will get.
    public var high: Int64

    /// Watermarks `low` and `high`.
    public init(low: Int64, high: Int64) {
        self.low = low
        self.high = high
    }
}
