import ArgumentParser
import KafkaProtocol
import KafkaSecurity

/// `barge acls list`: the ACLs a filter matches (DescribeAcls); every ACL without one.
struct AclsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List ACLs (DescribeAcls).")

    @OptionGroup var connection: KafkaConnectionOptions
    @OptionGroup var filter: AclFilterOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        _ = try filter.filter()
    }

    func run() async throws {
        let built = try filter.filter()
        let out = CommandOutput(output)
        try await WireAdmin(connection: try connection.resolve()).run { wire in
            var request = DescribeAclsRequest()
            (request.resourceTypeFilter, request.resourceNameFilter, request.patternTypeFilter) =
                (built.resourceType.rawValue, built.resourceName, built.patternType.rawValue)
            (request.principalFilter, request.hostFilter) = (built.principal, built.host)
            (request.operation, request.permissionType) = (built.operation.rawValue, built.permission.rawValue)
            let response = try await wire.request(request, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            try WireAdmin.check(response.errorCode, response.errorMessage, what: "list ACLs")
            for resource in response.resources {
                for acl in resource.acls {
                    let binding = AclBinding(
                        resourceType: AclResourceType(rawValue: resource.resourceType) ?? .unknown, resourceName: resource.resourceName,
                        patternType: AclPatternType(rawValue: resource.patternType) ?? .unknown, principal: acl.principal, host: acl.host,
                        operation: AclOperation(rawValue: acl.operation) ?? .unknown,
                        permission: AclPermissionType(rawValue: acl.permissionType) ?? .unknown)
                    out.emit(aclLine(binding), json: ListedAcl(binding))
                }
            }
        }
    }
}
