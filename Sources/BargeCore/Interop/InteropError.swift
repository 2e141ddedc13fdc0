/// A foreign large-message record (bakdata, LinkedIn, irori) that cannot be
/// read: what was wrong, and where.
public struct InteropError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case truncated, unknownFlag, unknownType, badChecksum, inconsistent, malformedReference, unsupportedStore
            case unknownCompression
        }
        private let backing: Backing
        /// A header or value is shorter (or longer) than its layout.
        public static let truncated = Kind(backing: .truncated)
        /// bakdata's flag byte is neither 0 (inline) nor 1 (backed).
        public static let unknownFlag = Kind(backing: .unknownFlag)
        /// LinkedIn's `_lm` type byte or segment version is not one this reader knows.
        public static let unknownType = Kind(backing: .unknownType)
        /// A LinkedIn segment's checksum is not `(int)(uuidMSB + uuidLSB)`.
        public static let badChecksum = Kind(backing: .badChecksum)
        /// Fields contradict each other (sequence outside the count, a slice
        /// larger than the message, header and value disagreeing, ...).
        public static let inconsistent = Kind(backing: .inconsistent)
        /// A reference URI or URL does not parse, or names no object.
        public static let malformedReference = Kind(backing: .malformedReference)
        /// The reference names a store Barge cannot read (Azure Blob Storage,
        /// Google Cloud Storage, or any scheme but `s3`).
        public static let unsupportedStore = Kind(backing: .unsupportedStore)
        /// bakdata's compression byte is not 0-4.
        public static let unknownCompression = Kind(backing: .unknownCompression)
        public var description: String { "\(backing)" }
    }

    /// What kind of problem this is.
    public let kind: Kind
    /// The field concerned: a header name, or `value`.
    public let field: String
    /// What was wrong, in words.
    public let message: String

    package init(_ kind: Kind, _ field: String, _ message: String) {
        self.kind = kind
        self.field = field
        self.message = message
    }

    public var description: String { "InteropError.\(kind) \(field): \(message)" }
}
