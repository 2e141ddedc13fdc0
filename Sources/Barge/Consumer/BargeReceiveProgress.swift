/// How far the receiving of one message has come, as
/// ``LargeMessageConsumerOptions/progress`` reports it: both counts only
/// grow; a message that arrives whole ends with both at its size.
public struct BargeReceiveProgress: Hashable, Sendable {
    /// The message's partition.
    public var topicPartition: KafkaTopicPartition
    /// The offset of its first record.
    public var offset: Int64
    /// The message id; nil for a plain record.
    public var id: BargeMessageID?
    /// The payload's size, once known.
    public var size: Int64?
    /// Payload bytes received so far (chunks taken from Kafka, or a claim
    /// check's bytes read from its store).
    public var bytesReceived: Int64 = 0
    /// Payload bytes whose SHA-256 matched: all of them once it did, none before.
    public var bytesVerified: Int64 = 0

    /// Progress of the message `info` describes, with nothing received yet.
    init(_ info: BargeMessageInfo) {
        topicPartition = info.topicPartition
        offset = info.offset
        id = info.id
        size = info.size
    }

    /// The progress of a message received whole and verified at once.
    static func complete(_ info: BargeMessageInfo, size: Int64) -> BargeReceiveProgress {
        var progress = BargeReceiveProgress(info)
        progress.size = size
        progress.bytesReceived = size
        progress.bytesVerified = size
        return progress
    }
}
