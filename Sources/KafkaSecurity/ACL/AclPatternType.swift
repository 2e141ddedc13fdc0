/// How an ACL's resource name is read: Kafka's
/// `org.apache.kafka.common.resource.PatternType`, with its wire codes.
public enum AclPatternType: Int8, Sendable, Codable, CaseIterable {
    /// A code this version does not know. Never valid in a binding or a filter.
    case unknown = 0
    /// In a filter: bindings of every pattern type whose name is exactly the
    /// filter's (or every binding, when the filter has no name). Never valid in a binding.
    case any = 1
    /// In a filter: the bindings that apply to the named resource (literal with
    /// the same name, literal `*`, prefixed with a prefix of the name). Never valid in a binding.
    case match = 2
    /// The name is the resource's name; `*` stands for every resource of the type.
    case literal = 3
    /// The name is a prefix of the names of the resources it protects.
    case prefixed = 4

    /// The name as Kafka prints it: `UNKNOWN`, `ANY`, `MATCH`, `LITERAL`, `PREFIXED`.
    public var name: String {
        switch self {
        case .unknown: "UNKNOWN"
        case .any: "ANY"
        case .match: "MATCH"
        case .literal: "LITERAL"
        case .prefixed: "PREFIXED"
        }
    }

    /// The pattern type with this name, in any case (`prefixed`, `Prefixed`). `nil` for anything else.
    public init?(name: String) {
        guard let found = Self.allCases.first(where: { AclNameMatcher.matches(name, kafkaName: $0.name) }) else {
            return nil
        }
        self = found
    }
}
