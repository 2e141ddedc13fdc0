/// What an ACL lets a principal do: Kafka's
/// `org.apache.kafka.common.acl.AclOperation`, with its wire codes.
public enum AclOperation: Int8, Sendable, Codable, CaseIterable {
    /// A code this version does not know. Never valid in a binding or a filter.
    case unknown = 0
    /// In a filter: every operation. Never valid in a binding.
    case any = 1
    /// In a binding: every operation, for ALLOW and DENY alike.
    case all = 2
    /// Read (fetch, consume, commit offsets). An ALLOW also grants DESCRIBE.
    case read = 3
    /// Write (produce). An ALLOW also grants DESCRIBE.
    case write = 4
    /// Create.
    case create = 5
    /// Delete. An ALLOW also grants DESCRIBE.
    case delete = 6
    /// Alter. An ALLOW also grants DESCRIBE.
    case alter = 7
    /// Describe.
    case describe = 8
    /// The brokers' own cluster actions.
    case clusterAction = 9
    /// Describe configurations.
    case describeConfigs = 10
    /// Alter configurations. An ALLOW also grants DESCRIBE_CONFIGS.
    case alterConfigs = 11
    /// Idempotent produce.
    case idempotentWrite = 12
    /// Create delegation tokens.
    case createTokens = 13
    /// Describe delegation tokens.
    case describeTokens = 14

    /// The name as Kafka prints it: `READ`, `CLUSTER_ACTION`, `DESCRIBE_CONFIGS`, ...
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .any: "ANY"
        case .all: "ALL"
        case .read: "READ"
        case .write: "WRITE"
        case .create: "CREATE"
        case .delete: "DELETE"
        case .alter: "ALTER"
        case .describe: "DESCRIBE"
        case .clusterAction: "CLUSTER_ACTION"
        case .describeConfigs: "DESCRIBE_CONFIGS"
        case .alterConfigs: "ALTER_CONFIGS"
        case .idempotentWrite: "IDEMPOTENT_WRITE"
        case .createTokens: "CREATE_TOKENS"
        case .describeTokens: "DESCRIBE_TOKENS"
        }
    }

    /// The operation with this name, in any case, with `-` or `_` between words or
    /// written as one CamelCase word: `DESCRIBE_CONFIGS`, `describe-configs`,
    /// `DescribeConfigs`. `nil` for anything else.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { AclNameMatcher.matches(name, kafkaName: $0.name) }) else {
            return nil
        }
        self = found
    }

    /// Whether an ALLOW binding for this operation grants `requested`: the same
    /// operation, ALL, or one that implies it (READ, WRITE, DELETE and ALTER imply
    /// DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS). A DENY binding refuses only
    /// its own operation (or every one, for ALL): implication never widens a DENY.
    func allowGrants(_ requested: AclOperation) -> Bool {
        if self == .all || self == requested {
            return true
        }
        switch requested {
        case .describe:
            return self == .read || self == .write || self == .delete || self == .alter
        case .describeConfigs:
            return self == .alterConfigs
        default:
            return false
        }
    }
}
