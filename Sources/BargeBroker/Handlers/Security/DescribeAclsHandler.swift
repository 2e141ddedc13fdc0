import KafkaProtocol
import KafkaSecurity

/// DescribeAcls, versions 0-3: the bindings a filter matches, grouped by
/// resource pattern. Needs DESCRIBE on the cluster; SECURITY_DISABLED
/// without an authorizer.
struct DescribeAclsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeAcls
    static let versions: ClosedRange<Int16> = 0...3

    func handle(_ request: DescribeAclsRequest, context: RequestContext) async throws -> DescribeAclsResponse? {
        var response = DescribeAclsResponse()
        if let (error, message) = AclWire.refusal(context, needs: .describe) {
            response.errorCode = error.code
            response.errorMessage = message
            return response
        }
        let filter = AclBindingFilter(request)
        do throws(AclError) {
            try filter.validate()
        } catch {
            response.errorCode = KafkaErrorCode.invalidRequest.code
            response.errorMessage = error.description
            return response
        }
        let bindings = context.broker.acls?.bindings(matching: filter) ?? []
        var resources: [DescribeAclsResponse.DescribeAclsResource] = []
        var index: [ResourceKey: Int] = [:]
        for binding in bindings {
            let key = ResourceKey(type: binding.resourceType.rawValue, name: binding.resourceName, pattern: binding.patternType.rawValue)
            if index[key] == nil {
                index[key] = resources.count
                var resource = DescribeAclsResponse.DescribeAclsResource()
                (resource.resourceType, resource.resourceName, resource.patternType) = (key.type, key.name, key.pattern)
                resources.append(resource)
            }
            var acl = DescribeAclsResponse.AclDescription()
            (acl.principal, acl.host) = (binding.principal, binding.host)
            (acl.operation, acl.permissionType) = (binding.operation.rawValue, binding.permission.rawValue)
            resources[index[key]!].acls.append(acl)
        }
        response.errorMessage = nil
        response.resources = resources
        return response
    }

    private struct ResourceKey: Hashable {
        let type: Int8
        let name: String
        let pattern: Int8
    }
}
