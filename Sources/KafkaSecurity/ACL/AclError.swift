/// An ACL binding that cannot be created, or an ACL filter that cannot be used.
/// Kafka answers both with INVALID_REQUEST (42) and the message.
public struct AclError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem was found.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case invalidResourceType, invalidPatternType, invalidOperation, invalidPermission
            case emptyResourceName, invalidClusterName, invalidPrincipal, emptyHost
            case unknownFilterElement
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A binding's resource type is UNKNOWN or ANY.
        public static let invalidResourceType = Kind(.invalidResourceType)
        /// A binding's pattern type is not LITERAL or PREFIXED.
        public static let invalidPatternType = Kind(.invalidPatternType)
        /// A binding's operation is UNKNOWN or ANY.
        public static let invalidOperation = Kind(.invalidOperation)
        /// A binding's permission is not ALLOW or DENY.
        public static let invalidPermission = Kind(.invalidPermission)
        /// A binding's resource name is empty.
        public static let emptyResourceName = Kind(.emptyResourceName)
        /// A CLUSTER binding names something other than `kafka-cluster`.
        public static let invalidClusterName = Kind(.invalidClusterName)
        /// A binding's principal is not `Type:name`.
        public static let invalidPrincipal = Kind(.invalidPrincipal)
        /// A binding's host is empty (`*` means every host).
        public static let emptyHost = Kind(.emptyHost)
        /// A filter has an UNKNOWN resource type, pattern type, operation or permission.
        public static let unknownFilterElement = Kind(.unknownFilterElement)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem was found.
    public let kind: Kind
    /// What is wrong, in Kafka's words where Kafka has them
    /// (`Invalid patternType MATCH`, `Resource name should not be empty`, ...).
    public let message: String

    /// An error of `kind` explained by `message`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The Kafka protocol error code: INVALID_REQUEST (42).
    public var kafkaErrorCode: Int16 { 42 }

    public var description: String { "AclError(\(kind)): \(message)" }
}
