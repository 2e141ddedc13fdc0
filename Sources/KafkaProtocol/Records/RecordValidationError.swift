/// Why the records of a batch were refused, with the Kafka error code a
/// broker answers with and, when one record is to blame, its index in the
/// batch (Produce v8+ reports it in `record_errors`).
///
/// The kinds are behind a private enum so that new kinds never break callers;
/// compare with the static members (`error.kind == .invalidRecord`).
public struct RecordValidationError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What kind of problem was found.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case corruptBatch, invalidRecord, tooLarge
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The batch's bytes do not parse: a compressed body that is not a
        /// valid stream of its codec. Kafka: CORRUPT_MESSAGE (2).
        public static let corruptBatch = Kind(.corruptBatch)
        /// A record breaks the format or a rule: a length or varint that does
        /// not fit, an offset delta out of order, a record count that does not
        /// match the records present. Kafka: INVALID_RECORD (87).
        public static let invalidRecord = Kind(.invalidRecord)
        /// A compressed batch decompresses to more than the broker allows.
        /// Kafka: MESSAGE_TOO_LARGE (10).
        public static let tooLarge = Kind(.tooLarge)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem was found.
    public let kind: Kind
    /// A sentence naming what was wrong and where.
    public let message: String
    /// The index in its batch of the record to blame, if one is.
    public let recordIndex: Int?

    /// An error of `kind` with a sentence naming what was wrong, blaming the record at `recordIndex` if given.
    public init(_ kind: Kind, _ message: String, recordIndex: Int? = nil) {
        self.kind = kind
        self.message = message
        self.recordIndex = recordIndex
    }

    /// The Kafka error code for this error.
    public var errorCode: KafkaErrorCode {
        switch kind {
        case .corruptBatch: .corruptMessage
        case .tooLarge: .messageTooLarge
        default: .invalidRecord
        }
    }

    public var description: String { "RecordValidationError(\(kind)): \(message)" }
}
