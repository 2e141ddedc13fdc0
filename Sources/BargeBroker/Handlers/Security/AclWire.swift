import KafkaProtocol
import KafkaSecurity

/// Kafka's ACL fields on the wire (Int8 codes) turned into KafkaSecurity's
/// types and back; a code Kafka does not define reads as UNKNOWN, which
/// validation then refuses.
enum AclWire {
    static func binding(_ creation: CreateAclsRequest.AclCreation) -> AclBinding {
        AclBinding(
            resourceType: AclResourceType(rawValue: creation.resourceType) ?? .unknown, resourceName: creation.resourceName,
            patternType: AclPatternType(rawValue: creation.resourcePatternType) ?? .unknown, principal: creation.principal,
            host: creation.host, operation: AclOperation(rawValue: creation.operation) ?? .unknown,
            permission: AclPermissionType(rawValue: creation.permissionType) ?? .unknown)
    }

    static func filter(
        resourceType: Int8, resourceName: String?, patternType: Int8, principal: String?, host: String?, operation: Int8, permission: Int8
    ) -> AclBindingFilter {
        AclBindingFilter(
            resourceType: AclResourceType(rawValue: resourceType) ?? .unknown, resourceName: resourceName,
            patternType: AclPatternType(rawValue: patternType) ?? .unknown, principal: principal, host: host,
            operation: AclOperation(rawValue: operation) ?? .unknown, permission: AclPermissionType(rawValue: permission) ?? .unknown)
    }

    /// Why ACL requests cannot be served, if they cannot: no authorizer
    /// (SECURITY_DISABLED), or the client may not `operation` the cluster.
    static func refusal(_ context: RequestContext, needs operation: AclOperation) -> (KafkaErrorCode, String)? {
        guard context.broker.acls != nil else {
            return (.securityDisabled, "No Authorizer is configured on the broker (set authorizer.class.name)")
        }
        guard context.isAuthorizedOnCluster(operation) else {
            return (.clusterAuthorizationFailed, "\(context.principal) may not \(operation.name) the cluster")
        }
        return nil
    }
}
