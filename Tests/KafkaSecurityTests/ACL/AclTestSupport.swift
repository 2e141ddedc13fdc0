import KafkaSecurity

/// A binding for the tests: a LITERAL TOPIC ACL for `User:alice` from every host
/// unless told otherwise.
func acl(
    _ permission: AclPermissionType,
    _ operation: AclOperation,
    _ resourceName: String,
    _ patternType: AclPatternType = .literal,
    type resourceType: AclResourceType = .topic,
    principal: String = "User:alice",
    host: String = "*"
) -> AclBinding {
    AclBinding(
        resourceType: resourceType,
        resourceName: resourceName,
        patternType: patternType,
        principal: principal,
        host: host,
        operation: operation,
        permission: permission
    )
}

extension KafkaPrincipal {
    /// `User:alice`, the principal the tests' bindings name by default.
    static let alice = KafkaPrincipal.user("alice")
    /// `User:bob`.
    static let bob = KafkaPrincipal.user("bob")
}

/// The operations a binding can name (neither UNKNOWN nor ANY).
let concreteOperations = AclOperation.allCases.filter { $0 != .unknown && $0 != .any }

extension AclAuthorizer {
    /// An authorizer with no super users that denies resources without ACLs unless told otherwise.
    init(_ bindings: [AclBinding], superUsers: Set<KafkaPrincipal> = [], allowEveryone: Bool = false) {
        self.init(bindings: bindings, superUsers: superUsers, allowEveryoneIfNoAclFound: allowEveryone)
    }

    /// Whether `principal` from 10.0.0.1 may do `operation` on the topic `name`.
    func allows(_ principal: KafkaPrincipal, _ operation: AclOperation, topic name: String, host: String = "10.0.0.1") -> Bool {
        authorize(principal: principal, host: host, operation: operation, resourceType: .topic, resourceName: name)
    }

    /// Whether `principal` from 10.0.0.1 may do `operation` on some topic.
    func allowsAnyTopic(_ principal: KafkaPrincipal, _ operation: AclOperation, host: String = "10.0.0.1") -> Bool {
        authorizeAny(principal: principal, host: host, operation: operation, resourceType: .topic)
    }
}
