import ArgumentParser
import BargeBroker
import KafkaProtocol
import KafkaSecurity

/// `barge acls add`: one ACL per principal and operation, as `kafka-acls.sh --add`.
struct AclsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add ACLs (CreateAcls).")

    @OptionGroup var connection: KafkaConnectionOptions
    @OptionGroup var resource: AclResourceOptions

    @Option(name: .long, help: "A principal to allow, User:NAME (repeatable).")
    var allowPrincipal: [String] = []

    @Option(name: .long, help: "A principal to deny, User:NAME (repeatable).")
    var denyPrincipal: [String] = []

    @Option(name: .long, help: "An operation: Read, Write, Create, Delete, Alter, Describe, DescribeConfigs, AlterConfigs, IdempotentWrite, All (repeatable).")
    var operation: [String] = []

    @Option(name: .long, help: "The client address the ACLs apply to.")
    var host: String = "*"

    func validate() throws {
        _ = try bindings()
    }

    func run() async throws {
        let bindings = try bindings()
        try await WireAdmin(connection: try connection.resolve()).run { wire in
            var request = CreateAclsRequest()
            request.creations = bindings.map(CreateAclsRequest.AclCreation.init)
            let response = try await wire.request(request, apiKey: .createAcls, version: 3, as: CreateAclsResponse.self)
            for (binding, result) in zip(bindings, response.results) {
                try WireAdmin.check(result.errorCode, result.errorMessage, what: "add \(aclLine(binding))")
                print("added: \(aclLine(binding))")
            }
        }
    }

    private func bindings() throws -> [AclBinding] {
        guard let (type, name) = try resource.resource() else {
            throw ValidationError("name the resource: --topic, --group, --transactional-id or --cluster")
        }
        let patternType = try resource.patternType(default: .literal)
        let principals = allowPrincipal.map { ($0, AclPermissionType.allow) } + denyPrincipal.map { ($0, AclPermissionType.deny) }
        guard !principals.isEmpty else { throw ValidationError("pass --allow-principal or --deny-principal") }
        let operations = try aclOperations(operation)
        guard !operations.isEmpty else { throw ValidationError("pass --operation") }
        let bindings = principals.flatMap { principal, permission in
            operations.map { operation in
                AclBinding(resourceType: type, resourceName: name, patternType: patternType, principal: principal, host: host,
                           operation: operation, permission: permission)
            }
        }
        for binding in bindings {
            do throws(AclError) { try binding.validateForCreation() } catch { throw ValidationError("\(error)") }
        }
        return bindings
    }
}
