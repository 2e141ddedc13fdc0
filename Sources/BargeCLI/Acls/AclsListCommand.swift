import ArgumentParser
import BargeBroker
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
            let request = DescribeAclsRequest(built)
            let response = try await wire.request(request, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            try WireAdmin.check(response.errorCode, response.errorMessage, what: "list ACLs")
            for resource in response.resources {
                for acl in resource.acls {
                    let binding = AclBinding(resource, acl)
                    out.emit(aclLine(binding), json: ListedAcl(binding))
                }
            }
        }
    }
}
