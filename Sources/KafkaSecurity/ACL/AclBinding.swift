/// One ACL as CreateAcls carries it and DescribeAcls returns it: a resource
/// pattern (type, name, pattern type) and an access control entry (principal,
/// host, operation, permission). Kafka's `AclBinding`.
///
/// Two bindings are equal when every field is the same, with names, principals
/// and hosts compared code point for code point as Kafka compares them.
public struct AclBinding: Hashable, Sendable, Codable {
    /// The kind of resource.
    public var resourceType: AclResourceType
    /// The resource name, a name prefix (PREFIXED), or `*` (LITERAL: every resource of the type).
    public var resourceName: String
    /// How `resourceName` is read: LITERAL or PREFIXED.
    public var patternType: AclPatternType
    /// The principal as `Type:name` (`User:alice`); `User:*` is every principal.
    public var principal: String
    /// The client's IP address as Kafka prints it (`192.0.2.7`), or `*` for every host.
    public var host: String
    /// The operation granted or refused; ALL is every operation.
    public var operation: AclOperation
    /// ALLOW or DENY.
    public var permission: AclPermissionType

    /// A binding with these fields, unchecked: call ``validateForCreation()``
    /// before storing one that came from a client.
    public init(
        resourceType: AclResourceType,
        resourceName: String,
        patternType: AclPatternType,
        principal: String,
        host: String,
        operation: AclOperation,
        permission: AclPermissionType
    ) {
        self.resourceType = resourceType
        self.resourceName = resourceName
        self.patternType = patternType
        self.principal = principal
        self.host = host
        self.operation = operation
        self.permission = permission
    }

    /// Checks that the binding can be stored, as Kafka's controller
    /// (`AclControlManager.validateNewAcl`) and CreateAcls handler do, in this order:
    /// the resource type is not UNKNOWN or ANY, the pattern type is LITERAL or
    /// PREFIXED, the operation is not UNKNOWN or ANY, the permission is ALLOW or
    /// DENY, the resource name is not empty, a CLUSTER resource is named
    /// `kafka-cluster`, the principal is `Type:name` and the host is not empty.
    ///
    /// - Throws: ``AclError`` naming the first problem, in Kafka's words where
    ///   Kafka has them.
    public func validateForCreation() throws(AclError) {
        if resourceType == .unknown || resourceType == .any {
            throw AclError(.invalidResourceType, "Invalid resourceType \(resourceType.name)")
        }
        if patternType != .literal && patternType != .prefixed {
            throw AclError(.invalidPatternType, "Invalid patternType \(patternType.name)")
        }
        if operation == .unknown || operation == .any {
            throw AclError(.invalidOperation, "Invalid operation \(operation.name)")
        }
        if permission != .allow && permission != .deny {
            throw AclError(.invalidPermission, "Invalid permissionType \(permission.name)")
        }
        if resourceName.isEmpty {
            throw AclError(.emptyResourceName, "Resource name should not be empty")
        }
        if resourceType == .cluster && !resourceName.utf8.elementsEqual("kafka-cluster".utf8) {
            throw AclError(.invalidClusterName, "The only valid name for the CLUSTER resource is kafka-cluster")
        }
        if KafkaPrincipal(parsing: principal) == nil {
            throw AclError(
                .invalidPrincipal,
                "expected a string in format principalType:principalName but got \(principal)"
            )
        }
        if host.isEmpty {
            throw AclError(.emptyHost, "Host should not be empty: use * for every host")
        }
    }

    public static func == (lhs: AclBinding, rhs: AclBinding) -> Bool {
        lhs.resourceType == rhs.resourceType
            && lhs.patternType == rhs.patternType
            && lhs.operation == rhs.operation
            && lhs.permission == rhs.permission
            && lhs.resourceName.utf8.elementsEqual(rhs.resourceName.utf8)
            && lhs.principal.utf8.elementsEqual(rhs.principal.utf8)
            && lhs.host.utf8.elementsEqual(rhs.host.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(resourceType)
        hasher.combine(patternType)
        hasher.combine(operation)
        hasher.combine(permission)
        for text in [resourceName, principal, host] {
            hasher.combine(text.utf8.count)
            text.utf8.forEach { hasher.combine($0) }
        }
    }
}
