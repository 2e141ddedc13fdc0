import FileIO

/// An error raised by a partition log, with the Kafka error code a broker
/// answers with.
///
/// The kinds are behind a private enum so that new kinds never break callers;
/// compare with the static members (`error.kind == .offsetOutOfRange`) or read
/// `message`, which names what was wrong and where.
public struct LogError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What kind of problem was found.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case offsetOutOfRange, corruptMessage, messageTooLarge, outOfOrderSequence, invalidProducerEpoch, storage, invalidRecord
            case offsetMovedToTieredStorage, remoteChunkMissing
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The requested offset is outside `[logStartOffset, logEndOffset]`. Kafka: OFFSET_OUT_OF_RANGE (1).
        public static let offsetOutOfRange = Kind(.offsetOutOfRange)
        /// A batch that does not parse (size, magic, CRC, a compressed body that
        /// is not its codec's stream) or that a client may not write (no
        /// records, a control batch). Kafka: CORRUPT_MESSAGE (2).
        public static let corruptMessage = Kind(.corruptMessage)
        /// A batch whose records break the format or a rule (`RecordsScanner`). Kafka: INVALID_RECORD (87).
        public static let invalidRecord = Kind(.invalidRecord)
        /// A batch is larger than the topic's `max.message.bytes`. Kafka: MESSAGE_TOO_LARGE (10).
        public static let messageTooLarge = Kind(.messageTooLarge)
        /// An idempotent producer's sequence number does not follow its last one. Kafka: OUT_OF_ORDER_SEQUENCE_NUMBER (45).
        public static let outOfOrderSequence = Kind(.outOfOrderSequence)
        /// An idempotent producer's epoch is older than the one the log has seen. Kafka: INVALID_PRODUCER_EPOCH (47).
        public static let invalidProducerEpoch = Kind(.invalidProducerEpoch)
        /// A file operation failed (disk full, I/O error, permissions) or the log is closed. Kafka: KAFKA_STORAGE_ERROR (56).
        public static let storage = Kind(.storage)

        /// The offset is in the log but below its local part: the remote tier
        /// holds it (Kafka's `OffsetMovedToTieredStorageException`, never sent to clients).
        public static let offsetMovedToTieredStorage = Kind(.offsetMovedToTieredStorage)
        /// A `RemoteSegmentView` needs a chunk that is not in the cache
        /// (`missingChunk` says which); fetch it and ask again. Not sent to clients.
        public static let remoteChunkMissing = Kind(.remoteChunkMissing)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem was found.
    public let kind: Kind
    /// A sentence naming what was wrong. For `storage` it names files: tell
    /// the operator, not the client.
    public let message: String
    /// The index in its batch of the record to blame, when one is (Produce's `record_errors`).
    public let recordIndex: Int?
    /// For `storage`, the file operation that failed, when one did (its errno tells a full disk from an I/O error).
    public let fileError: FileIOError?
    /// For `remoteChunkMissing`, the index of the chunk to fetch.
    public let missingChunk: Int?

    /// An error of `kind`, with a sentence naming what was wrong, blaming the record at `recordIndex` if given.
    public init(_ kind: Kind, _ message: String, recordIndex: Int? = nil, fileError: FileIOError? = nil, missingChunk: Int? = nil) {
        self.missingChunk = missingChunk
        self.kind = kind
        self.message = message
        self.recordIndex = recordIndex
        self.fileError = fileError
    }

    /// The Kafka protocol error code for this error.
    public var kafkaErrorCode: Int16 {
        switch kind {
        case .offsetOutOfRange: 1
        case .corruptMessage: 2
        case .messageTooLarge: 10
        case .outOfOrderSequence: 45
        case .invalidProducerEpoch: 47
        case .invalidRecord: 87
        default: 56
        }
    }

    public var description: String { "LogError(\(kind)): \(message)" }
}
