/// A record whose Barge headers break the wire format: what was wrong, and
/// in which header.
public struct BargeWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of violation this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case unsupportedVersion, missingHeader, duplicateHeader, malformedValue, outOfRange, inconsistent, reservedHeaderName
        }
        private let backing: Backing
        /// `barge.v` names a version this reader does not know.
        public static let unsupportedVersion = Kind(backing: .unsupportedVersion)
        /// A header the kind requires is absent.
        public static let missingHeader = Kind(backing: .missingHeader)
        /// A Barge header appears twice.
        public static let duplicateHeader = Kind(backing: .duplicateHeader)
        /// A value does not parse (a number, an id, a digest, a kind, a codec).
        public static let malformedValue = Kind(backing: .malformedValue)
        /// A number is beyond the reader's limits.
        public static let outOfRange = Kind(backing: .outOfRange)
        /// Headers contradict each other (an index at or beyond the count, ...).
        public static let inconsistent = Kind(backing: .inconsistent)
        /// An application header uses the `barge.` prefix.
        public static let reservedHeaderName = Kind(backing: .reservedHeaderName)
        public var description: String { "\(backing)" }
    }

    /// What kind of violation this is.
    public let kind: Kind
    /// The header concerned.
    public let header: String
    /// What was wrong, in words.
    public let message: String

    package init(_ kind: Kind, _ header: String, _ message: String) {
        self.kind = kind
        self.header = header
        self.message = message
    }

    public var description: String { "BargeWireError.\(kind) \(header): \(message)" }
}
