/// An error raised while decoding or encoding Kafka wire data.
///
/// The kinds are behind a private enum so that new kinds never break callers;
/// compare with the static members (`error.kind == .truncated`) or read
/// `description`, which names what was wrong.
public struct KafkaProtocolError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What kind of problem was found.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case truncated, invalidLength, frameTooLarge, unsupportedVersion, invalidValue, corruptRecordBatch
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// Fewer bytes were available than the encoding needs.
        public static let truncated = Kind(.truncated)
        /// A length or count field is negative (where not allowed) or larger than the data left.
        public static let invalidLength = Kind(.invalidLength)
        /// A frame's size prefix is above the configured maximum.
        public static let frameTooLarge = Kind(.frameTooLarge)
        /// The API version is not one this codec knows.
        public static let unsupportedVersion = Kind(.unsupportedVersion)
        /// A value cannot be represented, e.g. a field set that the version lacks, or bad UTF-8.
        public static let invalidValue = Kind(.invalidValue)
        /// A record batch failed its structural or CRC checks.
        public static let corruptRecordBatch = Kind(.corruptRecordBatch)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem was found.
    public let kind: Kind
    /// A sentence naming what was wrong.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "KafkaProtocolError(\(kind)): \(message)" }

    static func truncated(_ what: String, needed: Int, available: Int) -> KafkaProtocolError {
        KafkaProtocolError(.truncated, "\(what) needs \(needed) bytes but only \(available) remain")
    }

    static func invalidLength(_ what: String, _ length: Int, available: Int) -> KafkaProtocolError {
        KafkaProtocolError(.invalidLength, "\(what) has length \(length), but only \(available) bytes remain")
    }

    static func unsupportedVersion(_ message: String, _ version: Int16) -> KafkaProtocolError {
        KafkaProtocolError(.unsupportedVersion, "\(message) has no version \(version)")
    }
}
