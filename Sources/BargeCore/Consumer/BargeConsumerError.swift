import KafkaValues

/// Why a message was not, or not completely, delivered: a typed event of
/// ``LargeMessageConsumer`` (never a silent drop), or the error thrown by a
/// progressively read payload.
public struct BargeConsumerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case corrupt, missingChunk, expired, aborted, malformedRecord, startedMidMessage, revoked, tooLarge, storage
            case objectStore, objectMissing, noStore, encryption, invalidRange, invalidReference, unsupportedStore
        }
        private let backing: Backing
        /// The payload does not match its size or SHA-256, or a value does not decompress.
        public static let corrupt = Kind(backing: .corrupt)
        /// A chunk arrived after a gap in the indexes: chunks in between are missing.
        public static let missingChunk = Kind(backing: .missingChunk)
        /// The message's chunks stopped coming (offset gap or idle time beyond the limits).
        public static let expired = Kind(backing: .expired)
        /// The producer gave up on the message (an `abort` record).
        public static let aborted = Kind(backing: .aborted)
        /// A record's Barge headers break the wire format.
        public static let malformedRecord = Kind(backing: .malformedRecord)
        /// The reader started after the message's first chunk (deleted by retention, or before the start offset).
        public static let startedMidMessage = Kind(backing: .startedMidMessage)
        /// The partition was revoked while the payload was being read.
        public static let revoked = Kind(backing: .revoked)
        /// The payload is larger than the caller's limit for reading it into memory.
        public static let tooLarge = Kind(backing: .tooLarge)
        /// Spilling to, or reading from, the temporary directory failed.
        public static let storage = Kind(backing: .storage)
        /// A claim check's object store failed (after retries), refused access, or is misconfigured.
        /// The message is not counted as handled: its offset is not committed.
        public static let objectStore = Kind(backing: .objectStore)
        /// A claim check's object is not in its store (deleted, or never stored).
        public static let objectMissing = Kind(backing: .objectMissing)
        /// No object store of the consumer's configuration holds the reference's object URL.
        /// The message is not counted as handled: its offset is not committed.
        public static let noStore = Kind(backing: .noStore)
        /// A claim check's object cannot be decrypted: its key is unknown or wrong, or the
        /// ciphertext was tampered with or cut short. Unknown and wrong keys leave the message
        /// unhandled (its offset is not committed); tampering counts as `corrupt` handling.
        public static let encryption = Kind(backing: .encryption)
        /// A byte range outside the payload, or a range of a payload that cannot be read by range.
        public static let invalidRange = Kind(backing: .invalidRange)
        /// A claim check names an object it may not: outside every store the consumer has
        /// (another scheme, bucket or directory, a key with `..`), or one its store refuses
        /// to follow (a symbolic link out of a file store's root). Forged or broken, it can
        /// never be read: a bad record (see ``BadRecordPolicy``).
        public static let invalidReference = Kind(backing: .invalidReference)
        /// A foreign record (``BargeMessageInfo/interop``) names an object in a store Barge
        /// cannot read (Azure Blob Storage, Google Cloud Storage): reported, and passed.
        public static let unsupportedStore = Kind(backing: .unsupportedStore)
        public var description: String { "\(backing)" }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// What was wrong, in words.
    public let message: String
    /// The partition of the message's records, when known.
    public let topicPartition: KafkaTopicPartition?
    /// The message id, when the record had a valid one.
    public let id: BargeMessageID?
    /// Offset of the message's first record seen.
    public let firstOffset: Int64?
    /// Offset of the message's last record seen.
    public let lastOffset: Int64?

    package init(
        _ kind: Kind, _ message: String, topicPartition: KafkaTopicPartition? = nil, id: BargeMessageID? = nil,
        firstOffset: Int64? = nil, lastOffset: Int64? = nil
    ) {
        self.kind = kind
        self.message = message
        self.topicPartition = topicPartition
        self.id = id
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
    }

    /// The same failure with `text` added to its message.
    package func adding(_ text: String) -> BargeConsumerError {
        BargeConsumerError(kind, message + text, topicPartition: topicPartition, id: id, firstOffset: firstOffset, lastOffset: lastOffset)
    }

    /// Whether the failure is a bad record: records that are malformed,
    /// forged or do not match their own checksum or size, which no retry or
    /// setting can make deliverable (`malformedRecord`, `corrupt`,
    /// `missingChunk`, `invalidReference`, `objectMissing`). The consumer's
    /// ``BadRecordPolicy`` decides what happens to them. Messages that are
    /// merely incomplete (`aborted` by their producer, `expired`,
    /// `startedMidMessage`) are always reported and passed.
    public var isBadRecord: Bool {
        [.malformedRecord, .corrupt, .missingChunk, .invalidReference, .objectMissing].contains(kind)
    }

    public var description: String {
        var text = "BargeConsumerError.\(kind): \(message)"
        if let topicPartition { text += " [\(topicPartition)" + (firstOffset.map { "@\($0)" } ?? "") + (lastOffset.map { "...\($0)" } ?? "") + "]" }
        if let id { text += " id \(id)" }
        return text
    }
}
