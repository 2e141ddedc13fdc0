/// Whether an ACL grants or refuses: Kafka's
/// `org.apache.kafka.common.acl.AclPermissionType`, with its wire codes.
public enum AclPermissionType: Int8, Sendable, Codable, CaseIterable {
    /// A code this version does not know. Never valid in a binding or a filter.
    case unknown = 0
    /// In a filter: both permissions. Never valid in a binding.
    case any = 1
    /// Refuses; a matching DENY wins over every ALLOW.
    case deny = 2
    /// Grants.
    case allow = 3

    /// The name as Kafka prints it: `UNKNOWN`, `ANY`, `DENY`, `ALLOW`.
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .any: "ANY"
        case .deny: "DENY"
        case .allow: "ALLOW"
        }
    }

    /// The permission with this name, in any case (`allow`, `Allow`). `nil` for anything else.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { AclNameMatcher.matches(name, kafkaName: $0.name) }) else {
            return nil
        }
        self = found
    }
}
