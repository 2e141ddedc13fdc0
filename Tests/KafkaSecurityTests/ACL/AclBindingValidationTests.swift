import Foundation
import KafkaSecurity
import Testing

@Suite("AclBinding.validateForCreation: Kafka's AclControlManager.validateNewAcl and CreateAcls checks")
struct AclBindingValidationTests {
    /// The error `binding` is refused with, or nil if it is accepted.
    private func refusal(_ binding: AclBinding) -> AclError? {
        do {
            try binding.validateForCreation()
            return nil
        } catch {
            return error
        }
    }

    @Test("ordinary bindings are accepted")
    func accepted() {
        let bindings = [
            acl(.allow, .read, "orders"),
            acl(.deny, .write, "orders", .prefixed),
            acl(.allow, .all, "*"),
            acl(.allow, .describe, "*", .prefixed),
            acl(.allow, .read, "payments", type: .group, principal: "User:*"),
            acl(.allow, .clusterAction, "kafka-cluster", type: .cluster, principal: "User:broker"),
            acl(.allow, .alterConfigs, "kafka-cluster", .prefixed, type: .cluster),
            acl(.allow, .write, "tx-1", type: .transactionalId, host: "192.0.2.7"),
            acl(.allow, .describeTokens, "token-1", type: .delegationToken),
            acl(.allow, .createTokens, "bob", type: .user),
            acl(.allow, .idempotentWrite, "kafka-cluster", type: .cluster, host: "0:0:0:0:0:0:0:1"),
            acl(.allow, .read, "orders", principal: "User:a:b"),
            acl(.allow, .read, "orders", principal: "Group:ops"),
        ]
        for binding in bindings {
            #expect(refusal(binding) == nil, "\(binding)")
        }
    }

    @Test("principals are read as Kafka reads them: only a missing colon is refused")
    func principalEdgeCases() {
        #expect(refusal(acl(.allow, .read, "t", principal: "User:")) == nil)
        #expect(refusal(acl(.allow, .read, "t", principal: ":x")) == nil)
        let error = refusal(acl(.allow, .read, "t", principal: "nocolon"))
        #expect(error?.kind == .invalidPrincipal)
        #expect(error?.message == "expected a string in format principalType:principalName but got nocolon")
        #expect(refusal(acl(.allow, .read, "t", principal: ""))?.kind == .invalidPrincipal)
    }

    @Test("the resource type must be concrete", arguments: [AclResourceType.unknown, .any])
    func resourceType(_ type: AclResourceType) {
        let error = refusal(acl(.allow, .read, "t", type: type))
        #expect(error?.kind == .invalidResourceType)
        #expect(error?.message == "Invalid resourceType \(type.name)")
    }

    @Test("the pattern type must be LITERAL or PREFIXED", arguments: [AclPatternType.unknown, .any, .match])
    func patternType(_ pattern: AclPatternType) {
        let error = refusal(acl(.allow, .read, "t", pattern))
        #expect(error?.kind == .invalidPatternType)
        #expect(error?.message == "Invalid patternType \(pattern.name)")
    }

    @Test("the operation must be concrete", arguments: [AclOperation.unknown, .any])
    func operation(_ operation: AclOperation) {
        let error = refusal(acl(.allow, operation, "t"))
        #expect(error?.kind == .invalidOperation)
        #expect(error?.message == "Invalid operation \(operation.name)")
    }

    @Test("every concrete operation is accepted on every concrete resource type")
    func everyOperation() {
        for type in AclResourceType.allCases where type != .unknown && type != .any {
            let name = type == .cluster ? "kafka-cluster" : "r"
            for operation in concreteOperations {
                #expect(refusal(acl(.allow, operation, name, type: type)) == nil)
                #expect(refusal(acl(.deny, operation, name, type: type)) == nil)
            }
        }
    }

    @Test("the permission must be ALLOW or DENY", arguments: [AclPermissionType.unknown, .any])
    func permission(_ permission: AclPermissionType) {
        let error = refusal(acl(permission, .read, "t"))
        #expect(error?.kind == .invalidPermission)
        #expect(error?.message == "Invalid permissionType \(permission.name)")
    }

    @Test("the resource name must not be empty")
    func emptyName() {
        for pattern in [AclPatternType.literal, .prefixed] {
            let error = refusal(acl(.allow, .read, "", pattern))
            #expect(error?.kind == .emptyResourceName)
            #expect(error?.message == "Resource name should not be empty")
        }
        #expect(refusal(acl(.allow, .read, "", type: .cluster))?.kind == .emptyResourceName)
    }

    @Test("the cluster resource is named kafka-cluster")
    func clusterName() {
        for name in ["*", "kafka", "Kafka-Cluster", "kafka-cluster ", "cluster"] {
            let error = refusal(acl(.allow, .alter, name, type: .cluster))
            #expect(error?.kind == .invalidClusterName, "\(name)")
            #expect(error?.message == "The only valid name for the CLUSTER resource is kafka-cluster")
        }
        #expect(refusal(acl(.allow, .alter, "kafka-cluster", type: .cluster)) == nil)
        // Other types may use the name freely.
        #expect(refusal(acl(.allow, .read, "kafka-cluster")) == nil)
    }

    @Test("the host must not be empty")
    func emptyHost() {
        let error = refusal(acl(.allow, .read, "t", host: ""))
        #expect(error?.kind == .emptyHost)
        #expect(error?.message.isEmpty == false)
    }

    @Test("problems are reported in Kafka's order: types, operation, permission, then names")
    func order() {
        let everythingWrong = AclBinding(
            resourceType: .any, resourceName: "", patternType: .match,
            principal: "nocolon", host: "", operation: .any, permission: .any
        )
        #expect(refusal(everythingWrong)?.kind == .invalidResourceType)
        var binding = everythingWrong
        binding.resourceType = .cluster
        #expect(refusal(binding)?.kind == .invalidPatternType)
        binding.patternType = .prefixed
        #expect(refusal(binding)?.kind == .invalidOperation)
        binding.operation = .alter
        #expect(refusal(binding)?.kind == .invalidPermission)
        binding.permission = .deny
        #expect(refusal(binding)?.kind == .emptyResourceName)
        binding.resourceName = "x"
        #expect(refusal(binding)?.kind == .invalidClusterName)
        binding.resourceName = "kafka-cluster"
        #expect(refusal(binding)?.kind == .invalidPrincipal)
        binding.principal = "User:admin"
        #expect(refusal(binding)?.kind == .emptyHost)
        binding.host = "*"
        #expect(refusal(binding) == nil)
    }

    @Test("errors carry INVALID_REQUEST and say what is wrong")
    func errorShape() {
        let error = refusal(acl(.allow, .read, "t", .match))
        #expect(error?.kafkaErrorCode == 42)
        #expect(error?.description.contains("Invalid patternType MATCH") == true)
        #expect(AclError.Kind.invalidPatternType != .invalidResourceType)
        #expect(AclError(.emptyHost, "x") == AclError(.emptyHost, "x"))
        #expect(AclError(.emptyHost, "x") != AclError(.emptyHost, "y"))
    }

    @Test("bindings compare and hash field by field, names code point for code point")
    func bindingEquality() throws {
        let binding = acl(.allow, .read, "orders")
        #expect(binding == acl(.allow, .read, "orders"))
        #expect(binding != acl(.allow, .read, "orders", .prefixed))
        #expect(binding != acl(.deny, .read, "orders"))
        #expect(binding != acl(.allow, .write, "orders"))
        #expect(binding != acl(.allow, .read, "orders", type: .group))
        #expect(binding != acl(.allow, .read, "orders", principal: "User:bob"))
        #expect(binding != acl(.allow, .read, "orders", host: "10.0.0.1"))
        #expect(binding != acl(.allow, .read, "Orders"))
        #expect(acl(.allow, .read, "caf\u{E9}") != acl(.allow, .read, "cafe\u{301}"))
        #expect(Set([acl(.allow, .read, "caf\u{E9}"), acl(.allow, .read, "cafe\u{301}"), acl(.allow, .read, "caf\u{E9}")]).count == 2)
        let decoded = try JSONDecoder().decode(AclBinding.self, from: JSONEncoder().encode(binding))
        #expect(decoded == binding)
    }
}
