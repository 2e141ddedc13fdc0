import BargeBroker
import BargeBrokerTestKit
import Foundation
import KafkaProtocol
import KafkaSecurity
import NIOCore
import Testing

@Suite("ACLs with Kafka's authorizer semantics", .timeLimit(.minutes(2)))
struct AuthorizationTests {
    @Test("a principal allowed to write one topic cannot read it, see or delete others, or join a group; a denied produce leaves nothing")
    func writerOnly() async throws {
        try await withSaslBroker(authorizer: true) { broker in
            let admin = try await KafkaTestClient.loggedIn(port: broker.port, as: "admin")
            #expect(try await admin.createTopic("orders").errorCode == 0)
            #expect(try await admin.createTopic("payments").errorCode == 0)
            #expect(try await admin.createAcls([acl("User:alice", .write, .topic, "orders")]) == [0])

            let alice = try await KafkaTestClient.loggedIn(port: broker.port, as: "alice")
            #expect(try await alice.produceRecord("ok", to: "orders").errorCode == 0)
            #expect(try await alice.fetchPartition("orders").errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            // DESCRIBE is implied by WRITE: alice sees orders, and nothing else.
            #expect(try await alice.metadata(nil).topics.map(\.name) == ["orders"])
            #expect(try await alice.metadata(["payments"]).topics.first?.errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            #expect(try await alice.metadata(["no-such-topic"]).topics.first?.errorCode == KafkaErrorCode.topicAuthorizationFailed.code)

            let denied = try await alice.produceRecord("must not land", to: "payments")
            #expect(denied.errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            let payments = try await admin.fetchPartition("payments")
            #expect(payments.highWatermark == 0, "a denied produce appends nothing")

            var delete = DeleteTopicsRequest()
            delete.topicNames = ["payments"]
            let deleted = try await alice.request(delete, apiKey: .deleteTopics, version: 5, as: DeleteTopicsResponse.self)
            #expect(deleted.responses.first?.errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            #expect(try await admin.metadata(["payments"]).topics.first?.errorCode == 0)

            var join = JoinGroupRequest()
            join.groupId = "billing"
            join.sessionTimeoutMs = 10_000
            join.rebalanceTimeoutMs = 10_000
            join.protocolType = "consumer"
            let joined = try await alice.request(join, apiKey: .joinGroup, version: 5, as: JoinGroupResponse.self)
            #expect(joined.errorCode == KafkaErrorCode.groupAuthorizationFailed.code)

            var find = FindCoordinatorRequest()
            find.key = "billing"
            let coordinator = try await alice.request(find, apiKey: .findCoordinator, version: 3, as: FindCoordinatorResponse.self)
            #expect(coordinator.errorCode == KafkaErrorCode.groupAuthorizationFailed.code)
            await alice.close()
            await admin.close()
        }
    }

    @Test("DENY wins over ALLOW, and prefixed patterns match by prefix, as in Kafka")
    func denyAndPrefixed() async throws {
        try await withSaslBroker(authorizer: true) { broker in
            let admin = try await KafkaTestClient.loggedIn(port: broker.port, as: "admin")
            for topic in ["logs-app", "logs-secret", "metrics"] { #expect(try await admin.createTopic(topic).errorCode == 0) }
            #expect(try await admin.createAcls([
                acl("User:bob", .read, .topic, "logs-", pattern: .prefixed),
                acl("User:bob", .read, .topic, "logs-secret", permission: .deny),
                acl("User:*", .describe, .topic, "*"),
                acl("User:bob", .all, .topic, "metrics"),
                acl("User:bob", .write, .topic, "metrics", permission: .deny),
            ]) == [0, 0, 0, 0, 0])
            let bob = try await KafkaTestClient.loggedIn(port: broker.port, as: "bob")
            #expect(try await bob.fetchPartition("logs-app").errorCode == 0)
            #expect(try await bob.fetchPartition("logs-secret").errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            #expect(try await bob.fetchPartition("metrics").errorCode == 0)
            #expect(try await bob.produceRecord("x", to: "metrics").errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            #expect(Set(try await bob.metadata(nil).topics.compactMap(\.name)) == ["logs-app", "logs-secret", "metrics"])
            await bob.close()
            await admin.close()
        }
    }

    @Test("only ALTER on the cluster creates and deletes ACLs; bad bindings answer INVALID_REQUEST; ACLs survive a restart")
    func managingAcls() async throws {
        let directory = try await withSaslBroker(authorizer: true, keepData: true) { broker in
            let alice = try await KafkaTestClient.loggedIn(port: broker.port, as: "alice")
            #expect(try await alice.createAcls([acl("User:alice", .all, .topic, "*")]) == [KafkaErrorCode.clusterAuthorizationFailed.code])
            let described = try await alice.request(DescribeAclsRequest.all, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            #expect(described.errorCode == KafkaErrorCode.clusterAuthorizationFailed.code)
            await alice.close()

            let admin = try await KafkaTestClient.loggedIn(port: broker.port, as: "admin")
            let codes = try await admin.createAcls([
                acl("User:alice", .read, .topic, "t"),
                acl("User:alice", .read, .cluster, "not-kafka-cluster"),
                acl("alice-without-type", .read, .topic, "t"),
                acl("User:alice", .any, .topic, "t"),
            ])
            #expect(codes == [0] + Array(repeating: KafkaErrorCode.invalidRequest.code, count: 3))
            var listed = try await admin.request(DescribeAclsRequest.all, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            #expect(listed.resources.map(\.resourceName) == ["t"])
            #expect(listed.resources.first?.acls.map(\.principal) == ["User:alice"])
            await admin.close()
            return broker.dataDirectory
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSaslBroker([("log.dirs", directory)], authorizer: true) { broker in
            let admin = try await KafkaTestClient.loggedIn(port: broker.port, as: "admin")
            let listed = try await admin.request(DescribeAclsRequest.all, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            #expect(listed.resources.map(\.resourceName) == ["t"], "ACLs are kept in the data directory")
            var delete = DeleteAclsRequest()
            delete.filters = [DeleteAclsRequest.DeleteAclsFilter(AclBindingFilter(resourceType: .topic, resourceName: "t"))]
            let deleted = try await admin.request(delete, apiKey: .deleteAcls, version: 3, as: DeleteAclsResponse.self)
            #expect(deleted.filterResults.first?.matchingAcls.map(\.principal) == ["User:alice"])
            let after = try await admin.request(DescribeAclsRequest.all, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            #expect(after.resources.isEmpty)
            await admin.close()
        }
    }

    @Test("without an authorizer, ACL requests answer SECURITY_DISABLED and everyone may do everything")
    func securityDisabled() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await client.createAcls([acl("User:x", .read, .topic, "t")]) == [KafkaErrorCode.securityDisabled.code])
            let described = try await client.request(DescribeAclsRequest.all, apiKey: .describeAcls, version: 3, as: DescribeAclsResponse.self)
            #expect(described.errorCode == KafkaErrorCode.securityDisabled.code)
            #expect(try await client.createTopic("open").errorCode == 0)
            await client.close()
        }
    }

    @Test("allow.everyone.if.no.acl.found opens resources without ACLs, and only those")
    func allowEveryone() async throws {
        try await withSaslBroker([("allow.everyone.if.no.acl.found", "true")], authorizer: true) { broker in
            let admin = try await KafkaTestClient.loggedIn(port: broker.port, as: "admin")
            #expect(try await admin.createTopic("open").errorCode == 0)
            #expect(try await admin.createTopic("closed").errorCode == 0)
            #expect(try await admin.createAcls([acl("User:admin", .read, .topic, "closed")]) == [0])
            let bob = try await KafkaTestClient.loggedIn(port: broker.port, as: "bob")
            #expect(try await bob.fetchPartition("open").errorCode == 0)
            #expect(try await bob.fetchPartition("closed").errorCode == KafkaErrorCode.topicAuthorizationFailed.code)
            await bob.close()
            await admin.close()
        }
    }
}

extension DescribeAclsRequest {
    /// Every ACL.
    static var all: DescribeAclsRequest { DescribeAclsRequest(AclBindingFilter.any) }
}
