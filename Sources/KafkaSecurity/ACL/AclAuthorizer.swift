/// Kafka's authorizer decisions over a fixed set of ACL bindings, with no I/O:
/// the rules of KRaft's `StandardAuthorizer` (for single resources, also those of
/// the older ZooKeeper `AclAuthorizer`).
///
/// The bindings are indexed by resource type, then by literal name and in a
/// trie of prefixed names, so a decision looks only at the bindings that apply
/// to the resource (and ``authorizeAny(principal:host:operation:resourceType:)``
/// only at the requesting principal's and `User:*`'s), however many there are.
/// The value is immutable: build a new one when the ACLs change.
public struct AclAuthorizer: Sendable {
    private let superUsers: Set<KafkaPrincipal>
    private let allowEveryoneIfNoAclFound: Bool
    private let indexes: [AclResourceType: ResourceIndex]

    /// An authorizer for `bindings`.
    ///
    /// - Parameters:
    ///   - bindings: the ACLs. Any that ``AclBinding/validateForCreation()`` rejects
    ///     (which Kafka could not have stored) is ignored; duplicates are harmless.
    ///   - superUsers: principals allowed everything whatever the ACLs say
    ///     (Kafka's `super.users`).
    ///   - allowEveryoneIfNoAclFound: the decision for a resource no ACL applies to
    ///     (Kafka's `allow.everyone.if.no.acl.found`; Kafka's default is `false`).
    public init(bindings: some Sequence<AclBinding>, superUsers: Set<KafkaPrincipal>, allowEveryoneIfNoAclFound: Bool) {
        var indexes: [AclResourceType: ResourceIndex] = [:]
        for binding in bindings {
            do {
                try binding.validateForCreation()
            } catch {
                continue
            }
            guard let principal = KafkaPrincipal(parsing: binding.principal) else {
                continue
            }
            let rule = Rule(
                patternType: binding.patternType,
                resourceName: Array(binding.resourceName.utf8),
                principal: principal,
                host: binding.host,
                operation: binding.operation,
                permission: binding.permission
            )
            indexes[binding.resourceType, default: ResourceIndex()].insert(rule)
        }
        self.superUsers = superUsers
        self.allowEveryoneIfNoAclFound = allowEveryoneIfNoAclFound
        self.indexes = indexes
    }

    /// Whether `principal`, connected from `host`, may perform `operation` on the
    /// resource `resourceName` of `resourceType`. Kafka's rules, in order:
    ///
    /// 1. A super user is allowed.
    /// 2. The ACLs that apply are the LITERAL ones named `resourceName` or `*`, and
    ///    the PREFIXED ones whose name is a prefix of `resourceName`. If there are
    ///    none, the answer is `allowEveryoneIfNoAclFound`.
    /// 3. An ACL matches when its principal is `principal` or `User:*` and its host
    ///    is `host` or `*`. A matching DENY for `operation` or ALL refuses, whatever
    ///    ALLOWs there are. A DENY refuses only its own operation: a DENY of READ
    ///    leaves DESCRIBE alone, and a DENY of DESCRIBE leaves READ alone.
    /// 4. A matching ALLOW for `operation`, for ALL, or for an operation that implies
    ///    it allows: READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS
    ///    implies DESCRIBE_CONFIGS.
    /// 5. Otherwise (some ACLs apply, but none allows this) the answer is no.
    ///
    /// - Parameters:
    ///   - host: the client's IP address as Kafka prints it (`192.0.2.7`, `0:0:0:0:0:0:0:1`);
    ///     compared exactly with the ACLs' hosts.
    public func authorize(
        principal: KafkaPrincipal,
        host: String,
        operation: AclOperation,
        resourceType: AclResourceType,
        resourceName: String
    ) -> Bool {
        if superUsers.contains(principal) {
            return true
        }
        guard let index = indexes[resourceType] else {
            return allowEveryoneIfNoAclFound
        }
        var anyApplies = false
        var allowed = false
        for rules in index.rules(applyingTo: Array(resourceName.utf8)) {
            anyApplies = true
            for rule in rules where rule.matches(principal: principal, host: host) {
                if rule.permission == .deny {
                    if rule.operation == .all || rule.operation == operation {
                        return false
                    }
                } else if rule.operation.allowGrants(operation) {
                    allowed = true
                }
            }
        }
        return anyApplies ? allowed : allowEveryoneIfNoAclFound
    }

    /// Whether `principal`, connected from `host`, may perform `operation` on at
    /// least one resource of `resourceType`: Kafka's `authorizeByResourceType` (the
    /// `Authorizer` interface's default method, which `StandardAuthorizer` uses).
    /// Kafka asks it, for instance, to let an idempotent producer without
    /// IDEMPOTENT_WRITE on the cluster initialise if it may WRITE some topic.
    ///
    /// 1. If ``authorize(principal:host:operation:resourceType:resourceName:)`` allows
    ///    `operation` on a LITERAL resource named `hardcode` (Kafka's stand-in name),
    ///    the answer is yes. This lets super users in, and also everyone when
    ///    `allowEveryoneIfNoAclFound` is set and no ACL applies to that name.
    /// 2. Otherwise only the ACLs of `resourceType` for `principal` or `User:*`, for
    ///    `host` or `*`, and for `operation` exactly or ALL count; here implied
    ///    operations do not. A LITERAL DENY on `*` refuses; a LITERAL ALLOW on `*`
    ///    allows. Otherwise the answer is yes if some LITERAL ALLOW is neither denied
    ///    by a LITERAL DENY of the same name nor by a PREFIXED DENY of a prefix of its
    ///    name, or some PREFIXED ALLOW has no PREFIXED DENY of a prefix of its name.
    ///
    /// Kafka refuses to answer for the resource type ANY or UNKNOWN or the operation
    /// ANY or UNKNOWN (it throws); this answers no.
    public func authorizeAny(
        principal: KafkaPrincipal,
        host: String,
        operation: AclOperation,
        resourceType: AclResourceType
    ) -> Bool {
        if resourceType == .any || resourceType == .unknown || operation == .any || operation == .unknown {
            return false
        }
        if authorize(principal: principal, host: host, operation: operation, resourceType: resourceType, resourceName: "hardcode") {
            return true
        }
        guard let index = indexes[resourceType] else {
            return false
        }
        var denied = PatternNames()
        var allowed = PatternNames()
        var hasWildcardAllow = false
        for rule in index.rules(for: principal) {
            guard rule.matchesHost(host), rule.operation == operation || rule.operation == .all else {
                continue
            }
            let isWildcardResource = rule.patternType == .literal && rule.resourceName == ResourceIndex.wildcardName
            if rule.permission == .deny {
                if isWildcardResource {
                    return false
                }
                denied.insert(rule)
            } else if isWildcardResource {
                hasWildcardAllow = true
            } else {
                allowed.insert(rule)
            }
        }
        if hasWildcardAllow {
            return true
        }
        let literalAllowed = allowed.literal.contains { name in
            !denied.literal.contains(name) && !denied.hasPrefixedName(prefixing: name)
        }
        return literalAllowed || allowed.prefixed.contains { !denied.hasPrefixedName(prefixing: $0) }
    }
}

extension AclAuthorizer {
    /// One stored ACL: valid, so of a known resource type, LITERAL or PREFIXED,
    /// and ALLOW or DENY.
    private struct Rule: Sendable {
        var patternType: AclPatternType
        /// The resource name's UTF-8: Kafka compares names code point for code point.
        var resourceName: [UInt8]
        var principal: KafkaPrincipal
        var host: String
        var operation: AclOperation
        var permission: AclPermissionType

        /// Whether the rule is for `principal` (directly or as `User:*`) connected from `host`.
        func matches(principal: KafkaPrincipal, host: String) -> Bool {
            (self.principal == principal || self.principal.isWildcard) && matchesHost(host)
        }

        /// Whether the rule's host is `host` or `*`.
        func matchesHost(_ host: String) -> Bool {
            self.host == "*" || self.host.utf8.elementsEqual(host.utf8)
        }
    }

    /// The ACLs of one resource type, indexed three ways.
    private struct ResourceIndex: Sendable {
        /// `*` in UTF-8: the LITERAL name that stands for every resource.
        static let wildcardName: [UInt8] = Array("*".utf8)

        /// LITERAL rules by name (including `*`).
        private var literal: [[UInt8]: [Rule]] = [:]
        /// PREFIXED rules, in a trie of their names.
        private var prefixed = PrefixTrie()
        /// Every rule by principal, for ``AclAuthorizer/authorizeAny(principal:host:operation:resourceType:)``.
        private var byPrincipal: [KafkaPrincipal: [Rule]] = [:]

        mutating func insert(_ rule: Rule) {
            if rule.patternType == .literal {
                literal[rule.resourceName, default: []].append(rule)
            } else {
                prefixed.insert(rule)
            }
            byPrincipal[rule.principal, default: []].append(rule)
        }

        /// The groups of rules that apply to the resource named `name`: LITERAL ones
        /// named `name` or `*`, PREFIXED ones named by a prefix of `name`. No group is empty.
        func rules(applyingTo name: [UInt8]) -> [[Rule]] {
            var groups = prefixed.rules(prefixing: name)
            if let exact = literal[name] {
                groups.append(exact)
            }
            if name != Self.wildcardName, let wildcard = literal[Self.wildcardName] {
                groups.append(wildcard)
            }
            return groups
        }

        /// The rules for `principal` and for `User:*`.
        func rules(for principal: KafkaPrincipal) -> [Rule] {
            let own = byPrincipal[principal] ?? []
            if principal.isWildcard {
                return own
            }
            return own + (byPrincipal[.wildcard] ?? [])
        }
    }

    /// PREFIXED rules in a trie over their names' UTF-8 bytes, kept in two flat
    /// dictionaries: each edge is one entry keyed by parent node and byte.
    private struct PrefixTrie: Sendable {
        /// Child node by `parent << 8 | byte`; node 0 is the root (the empty name).
        private var children: [Int: Int] = [:]
        private var nodeCount = 1
        /// The rules whose name ends at the node.
        private var rulesByNode: [Int: [Rule]] = [:]

        mutating func insert(_ rule: Rule) {
            var node = 0
            for byte in rule.resourceName {
                let edge = node << 8 | Int(byte)
                if let child = children[edge] {
                    node = child
                } else {
                    children[edge] = nodeCount
                    node = nodeCount
                    nodeCount += 1
                }
            }
            rulesByNode[node, default: []].append(rule)
        }

        /// The groups of rules whose names are non-empty prefixes of `name` (or `name` itself).
        func rules(prefixing name: [UInt8]) -> [[Rule]] {
            var groups: [[Rule]] = []
            var node = 0
            for byte in name {
                guard let child = children[node << 8 | Int(byte)] else {
                    break
                }
                node = child
                if let rules = rulesByNode[node] {
                    groups.append(rules)
                }
            }
            return groups
        }
    }

    /// The resource names of matching ALLOW or DENY rules, for `authorizeAny`.
    private struct PatternNames {
        var literal: Set<[UInt8]> = []
        var prefixed: Set<[UInt8]> = []
        /// The distinct lengths of the `prefixed` names, to test only prefixes that could be in it.
        private var prefixedLengths: Set<Int> = []

        mutating func insert(_ rule: Rule) {
            if rule.patternType == .literal {
                literal.insert(rule.resourceName)
            } else {
                prefixed.insert(rule.resourceName)
                prefixedLengths.insert(rule.resourceName.count)
            }
        }

        /// Whether one of the `prefixed` names is a prefix of `name` (or `name` itself).
        func hasPrefixedName(prefixing name: [UInt8]) -> Bool {
            prefixedLengths.contains { length in
                length <= name.count && prefixed.contains(Array(name[..<length]))
            }
        }
    }
}
