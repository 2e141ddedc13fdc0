import ArgumentParser
import BargeBroker
import KafkaProtocol
import KafkaSecurity

/// `barge acls remove`: the ACLs a filter matches (DeleteAcls).
struct AclsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove the ACLs that match (DeleteAcls); name at least a resource or a principal.")

    @OptionGroup var connection: KafkaConnectionOptions
    @OptionGroup var filter: AclFilterOptions

    func validate() throws {
        let built = try filter.filter()
        guard built.resourceName != nil || built.principal != nil || built.resourceType != .any else {
            throw ValidationError("name a resource or --principal: removing every ACL takes --topic '*' style filters one at a time")
        }
    }

    func run() async throws {
        let built = try filter.filter()
        try await WireAdmin(connection: try connection.resolve()).run { wire in
            var request = DeleteAclsRequest()
            request.filters = [DeleteAclsRequest.DeleteAclsFilter(built)]
            let response = try await wire.request(request, apiKey: .deleteAcls, version: 3, as: DeleteAclsResponse.self)
            guard let result = response.filterResults.first else { throw CommandFailure("the broker answered no filter result") }
            try WireAdmin.check(result.errorCode, result.errorMessage, what: "remove ACLs")
            for acl in result.matchingAcls {
                print("removed: \(aclLine(AclBinding(acl)))")
            }
            if result.matchingAcls.isEmpty { print("no ACL matched") }
        }
    }
}

/// A filter of ACLs: the resource options and, optionally, a principal, host, operation and permission.
struct AclFilterOptions: ParsableArguments {
    @OptionGroup var resource: AclResourceOptions

    @Option(name: .long, help: "Only the ACLs of this principal, User:NAME.")
    var principal: String?

    @Option(name: .long, help: "Only the ACLs for this host.")
    var host: String?

    @Option(name: .long, help: "Only the ACLs of this operation.")
    var operation: String?

    @Option(name: .long, help: "Only allow or deny ACLs.")
    var permission: String?

    func filter() throws -> AclBindingFilter {
        let named = try resource.resource()
        var permissionType = AclPermissionType.any
        if let permission {
            guard let parsed = AclPermissionType(name: permission), parsed == .allow || parsed == .deny else {
                throw ValidationError("--permission must be allow or deny, not '\(permission)'")
            }
            permissionType = parsed
        }
        return AclBindingFilter(
            resourceType: named?.0 ?? .any, resourceName: named?.1, patternType: try resource.patternType(default: .any),
            principal: principal, host: host, operation: try operation.map { try aclOperations([$0])[0] } ?? .any,
            permission: permissionType)
    }
}
