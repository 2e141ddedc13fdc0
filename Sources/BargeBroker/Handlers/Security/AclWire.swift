import KafkaProtocol
import KafkaSecurity

/// What the ACL requests share: whether they can be served at all.
enum AclWire {
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
