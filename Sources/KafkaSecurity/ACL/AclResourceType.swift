/// The kind of resource an ACL protects: Kafka's
/// `org.apache.kafka.common.resource.ResourceType`, with its wire codes.
public enum AclResourceType: Int8, Sendable, Codable, CaseIterable {
    /// A code this version does not know. Never valid in a binding or a filter.
    case unknown = 0
    /// In a filter: every resource type. Never valid in a binding.
    case any = 1
    /// A topic.
    case topic = 2
    /// A consumer group.
    case group = 3
    /// The cluster; its only resource name is `kafka-cluster`.
    case cluster = 4
    /// A transactional producer's `transactional.id`.
    case transactionalId = 5
    /// A delegation token.
    case delegationToken = 6
    /// A user (for instance, to create tokens on its behalf).
    case user = 7

    /// The name as Kafka prints it: `UNKNOWN`, `ANY`, `TOPIC`, `GROUP`, `CLUSTER`,
    /// `TRANSACTIONAL_ID`, `DELEGATION_TOKEN`, `USER`.
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .any: "ANY"
        case .topic: "TOPIC"
        case .group: "GROUP"
        case .cluster: "CLUSTER"
        case .transactionalId: "TRANSACTIONAL_ID"
        case .delegationToken: "DELEGATION_TOKEN"
        case .user: "USER"
        }
    }

    /// The type with this name, in any case, with `-` or `_` between words or
    /// written as one CamelCase word: `TOPIC`, `Topic`, `transactional_id`,
    /// `transactional-id`, `TransactionalId`. `nil` for anything else.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { AclNameMatcher.matches(name, kafkaName: $0.name) }) else {
            return nil
        }
        self = found
    }
}
