import Foundation
import KafkaSecurity
import Testing

@Suite("ACL enums: Kafka's codes and names")
struct AclEnumTests {
    @Test("resource types carry Kafka's codes and names")
    func resourceTypes() {
        let expected: [(AclResourceType, Int8, String)] = [
            (.unknown, 0, "UNKNOWN"), (.any, 1, "ANY"), (.topic, 2, "TOPIC"), (.group, 3, "GROUP"),
            (.cluster, 4, "CLUSTER"), (.transactionalId, 5, "TRANSACTIONAL_ID"),
            (.delegationToken, 6, "DELEGATION_TOKEN"), (.user, 7, "USER"),
        ]
        #expect(AclResourceType.allCases.count == expected.count)
        for (type, code, name) in expected {
            #expect(type.rawValue == code)
            #expect(type.name == name)
            #expect(AclResourceType(rawValue: code) == type)
        }
        #expect(AclResourceType(rawValue: 8) == nil)
        #expect(AclResourceType(rawValue: -1) == nil)
    }

    @Test("pattern types carry Kafka's codes and names")
    func patternTypes() {
        let expected: [(AclPatternType, Int8, String)] = [
            (.unknown, 0, "UNKNOWN"), (.any, 1, "ANY"), (.match, 2, "MATCH"), (.literal, 3, "LITERAL"), (.prefixed, 4, "PREFIXED"),
        ]
        #expect(AclPatternType.allCases.count == expected.count)
        for (type, code, name) in expected {
            #expect(type.rawValue == code)
            #expect(type.name == name)
            #expect(AclPatternType(rawValue: code) == type)
        }
        #expect(AclPatternType(rawValue: 5) == nil)
    }

    @Test("operations carry Kafka's codes and names")
    func operations() {
        let expected: [(AclOperation, Int8, String)] = [
            (.unknown, 0, "UNKNOWN"), (.any, 1, "ANY"), (.all, 2, "ALL"), (.read, 3, "READ"), (.write, 4, "WRITE"),
            (.create, 5, "CREATE"), (.delete, 6, "DELETE"), (.alter, 7, "ALTER"), (.describe, 8, "DESCRIBE"),
            (.clusterAction, 9, "CLUSTER_ACTION"), (.describeConfigs, 10, "DESCRIBE_CONFIGS"),
            (.alterConfigs, 11, "ALTER_CONFIGS"), (.idempotentWrite, 12, "IDEMPOTENT_WRITE"),
            (.createTokens, 13, "CREATE_TOKENS"), (.describeTokens, 14, "DESCRIBE_TOKENS"),
        ]
        #expect(AclOperation.allCases.count == expected.count)
        for (operation, code, name) in expected {
            #expect(operation.rawValue == code)
            #expect(operation.name == name)
            #expect(AclOperation(rawValue: code) == operation)
        }
        #expect(AclOperation(rawValue: 15) == nil)
    }

    @Test("permissions carry Kafka's codes and names")
    func permissions() {
        let expected: [(AclPermissionType, Int8, String)] = [
            (.unknown, 0, "UNKNOWN"), (.any, 1, "ANY"), (.deny, 2, "DENY"), (.allow, 3, "ALLOW"),
        ]
        #expect(AclPermissionType.allCases.count == expected.count)
        for (permission, code, name) in expected {
            #expect(permission.rawValue == code)
            #expect(permission.name == name)
            #expect(AclPermissionType(rawValue: code) == permission)
        }
        #expect(AclPermissionType(rawValue: 4) == nil)
    }

    /// Kafka's PascalCase spelling (`SecurityUtils.toPascalCase`), as the admin tools print.
    private func pascalCase(_ kafkaName: String) -> String {
        kafkaName.split(separator: "_").map { $0.prefix(1) + $0.dropFirst().lowercased() }.joined()
    }

    /// Every spelling the brief asks `init?(name:)` to accept for `kafkaName`.
    private func spellings(_ kafkaName: String) -> [String] {
        [
            kafkaName, kafkaName.lowercased(), pascalCase(kafkaName), pascalCase(kafkaName).lowercased(),
            kafkaName.replacingOccurrences(of: "_", with: "-"),
            kafkaName.lowercased().replacingOccurrences(of: "_", with: "-"),
        ]
    }

    @Test("every name reads back in every spelling")
    func nameRoundTrips() {
        for type in AclResourceType.allCases {
            for spelling in spellings(type.name) { #expect(AclResourceType(name: spelling) == type, "\(spelling)") }
        }
        for type in AclPatternType.allCases {
            for spelling in spellings(type.name) { #expect(AclPatternType(name: spelling) == type, "\(spelling)") }
        }
        for operation in AclOperation.allCases {
            for spelling in spellings(operation.name) { #expect(AclOperation(name: spelling) == operation, "\(spelling)") }
        }
        for permission in AclPermissionType.allCases {
            for spelling in spellings(permission.name) { #expect(AclPermissionType(name: spelling) == permission, "\(spelling)") }
        }
    }

    @Test("the spellings in the brief parse")
    func namedExamples() {
        #expect(AclResourceType(name: "Topic") == .topic)
        #expect(AclResourceType(name: "topic") == .topic)
        #expect(AclResourceType(name: "TransactionalId") == .transactionalId)
        #expect(AclResourceType(name: "transactional_id") == .transactionalId)
        #expect(AclResourceType(name: "transactional-id") == .transactionalId)
        #expect(AclResourceType(name: "Transactional_Id") == .transactionalId)
        #expect(AclResourceType(name: "DelegationToken") == .delegationToken)
        #expect(AclOperation(name: "DescribeConfigs") == .describeConfigs)
        #expect(AclOperation(name: "describe_configs") == .describeConfigs)
        #expect(AclOperation(name: "IdempotentWrite") == .idempotentWrite)
        #expect(AclOperation(name: "cluster-action") == .clusterAction)
        #expect(AclPatternType(name: "Prefixed") == .prefixed)
        #expect(AclPatternType(name: "match") == .match)
        #expect(AclPermissionType(name: "Allow") == .allow)
        #expect(AclPermissionType(name: "deny") == .deny)
    }

    @Test("names that are not Kafka's do not parse")
    func rejectedNames() {
        for text in ["", " ", "TOPICS", "TOP IC", " topic", "topic ", "transactional id", "TRANS_ACTIONALID",
                     "TRANSACTIONAL__ID", "_TOPIC", "2"] {
            #expect(AclResourceType(name: text) == nil, "\(text)")
        }
        for text in ["", "READS", "DESCRIBE CONFIGS", "DESCRIBE_CONFIG", "DESCRIBECONFIG", "3"] {
            #expect(AclOperation(name: text) == nil, "\(text)")
        }
        #expect(AclPatternType(name: "PREFIX") == nil)
        #expect(AclPatternType(name: "WILDCARD") == nil)
        #expect(AclPermissionType(name: "PERMIT") == nil)
        #expect(AclPermissionType(name: "") == nil)
    }

    @Test("the enums encode as Kafka's codes")
    func codable() throws {
        let encoded = try JSONEncoder().encode([AclOperation.describeConfigs, .read])
        #expect(String(decoding: encoded, as: UTF8.self) == "[10,3]")
        #expect(try JSONDecoder().decode(AclResourceType.self, from: Data("5".utf8)) == .transactionalId)
        #expect(try JSONDecoder().decode(AclPatternType.self, from: Data("4".utf8)) == .prefixed)
        #expect(try JSONDecoder().decode(AclPermissionType.self, from: Data("2".utf8)) == .deny)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(AclOperation.self, from: Data("99".utf8)) }
    }
}
