/// A topic configuration property that cannot be applied: an unknown name or
/// a value out of range. Kafka answers both with INVALID_CONFIG (40).
public struct LogConfigError: Error, Hashable, CustomStringConvertible, Sendable {
    /// What kind of problem was found.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case unknownName, invalidValue
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The property name is not a topic configuration this log knows.
        public static let unknownName = Kind(.unknownName)
        /// The value does not parse or is out of the property's range.
        public static let invalidValue = Kind(.invalidValue)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem was found.
    public let kind: Kind
    /// The property name as given, e.g. `retention.ms`.
    public let name: String
    /// The value as given.
    public let value: String
    /// A sentence naming what was wrong and what is accepted.
    public let message: String

    /// An error about the property `name` set to `value`.
    public init(_ kind: Kind, name: String, value: String, _ message: String) {
        self.kind = kind
        self.name = name
        self.value = value
        self.message = message
    }

    /// The Kafka protocol error code: INVALID_CONFIG (40).
    public var kafkaErrorCode: Int16 { 40 }

    public var description: String { "LogConfigError(\(kind)): \(message)" }
}
