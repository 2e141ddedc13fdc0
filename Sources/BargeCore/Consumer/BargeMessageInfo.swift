import Foundation
import KafkaValues

/// What a delivered message is: where it came from and what the producer
/// said about it. For a progressively delivered message, `size` and `sha256`
/// may be unknown until its last chunk (then ``BargeMessage/payload``
/// ends only once they were checked).
public struct BargeMessageInfo: Hashable, Sendable {
    /// How the message travelled.
    public enum Kind: Hashable, Sendable {
        /// An ordinary record without Barge headers.
        case plain
        /// A Barge message in one record (also bakdata's inline payloads).
        case inline
        /// A Barge message in chunk records (also LinkedIn's segments).
        case chunked
        /// A claim check: a reference record naming an object in a store
        /// (also a foreign format's reference: bakdata backed, irori).
        case claimCheck
    }

    /// How the message travelled.
    public var kind: Kind
    /// The partition of its records.
    public var topicPartition: KafkaTopicPartition
    /// Offset of its first record.
    public var offset: Int64
    /// The record key (every chunk carries the same key).
    public var key: [UInt8]?
    /// The application's headers (all headers of a plain record).
    public var headers: [KafkaHeader]
    /// The first record's timestamp.
    public var timestamp: KafkaTimestamp?
    /// The Barge message id; `nil` for a plain record.
    public var id: BargeMessageID?
    /// Payload size in bytes, when known.
    public var size: Int64?
    /// SHA-256 of the payload, when known (checked before the payload ends).
    public var sha256: BargeDigest?
    /// Media type given by the producer.
    public var contentType: String?
    /// Original file name given by the producer (no directories).
    public var fileName: String?
    /// The object's URL, for a claim check.
    public var objectURL: String? = nil
    /// The foreign format the message was read in (see
    /// ``LargeMessageConsumerOptions/interop``); nil for Barge's own messages
    /// and plain records. A foreign message has no SHA-256: only its size,
    /// when the format gives one, is checked.
    public var interop: InteropFormat? = nil

    /// The topic.
    public var topic: String { topicPartition.topic }
    /// The partition.
    public var partition: Int32 { topicPartition.partition }
}
