import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

@Suite("Consumer groups over the wire", .timeLimit(.minutes(2)))
struct GroupCoordinatorWireTests {
    let helper = BrokerRoundTripTests()

    func noDelay(_ config: inout BrokerConfig) {
        config = try! config.applying([("group.initial.rebalance.delay.ms", "0")])
    }

    func join(_ client: KafkaTestClient, group: String, memberId: String = "") async throws -> JoinGroupResponse {
        var request = JoinGroupRequest()
        request.groupId = group
        request.memberId = memberId
        // Long enough that a member without heartbeats outlives a test on a loaded machine.
        request.sessionTimeoutMs = 120_000
        request.rebalanceTimeoutMs = 10_000
        request.protocolType = "consumer"
        var range = JoinGroupRequest.JoinGroupRequestProtocol()
        range.name = "range"
        range.metadata = ByteBuffer(bytes: [0, 0, 0, 0, 0, 0])
        request.protocols = [range]
        return try await client.request(request, apiKey: .joinGroup, version: 5, as: JoinGroupResponse.self)
    }

    /// Syncs a lone leader, assigning itself "all yours", so its group is stable and only its session can expire it.
    func sync(_ client: KafkaTestClient, group: String, joined: JoinGroupResponse) async throws -> SyncGroupResponse {
        var request = SyncGroupRequest()
        request.groupId = group
        request.generationId = joined.generationId
        request.memberId = joined.memberId
        var assignment = SyncGroupRequest.SyncGroupRequestAssignment()
        assignment.memberId = joined.memberId
        assignment.assignment = ByteBuffer(string: "all yours")
        request.assignments = [assignment]
        return try await client.request(request, apiKey: .syncGroup, version: 3, as: SyncGroupResponse.self)
    }

    func commit(_ client: KafkaTestClient, group: String, generation: Int32, memberId: String, topic: String, offset: Int64, metadata: String?) async throws -> Int16 {
        var partition = OffsetCommitRequest.OffsetCommitRequestPartition()
        partition.partitionIndex = 0
        partition.committedOffset = offset
        partition.committedMetadata = metadata
        var topicEntry = OffsetCommitRequest.OffsetCommitRequestTopic()
        topicEntry.name = topic
        topicEntry.partitions = [partition]
        var request = OffsetCommitRequest()
        request.groupId = group
        request.generationIdOrMemberEpoch = generation
        request.memberId = memberId
        request.topics = [topicEntry]
        let response = try await client.request(request, apiKey: .offsetCommit, version: 7, as: OffsetCommitResponse.self)
        return try #require(response.topics.first?.partitions.first?.errorCode)
    }

    func fetchCommitted(_ client: KafkaTestClient, group: String, topic: String) async throws -> OffsetFetchResponse.OffsetFetchResponsePartition {
        var topicEntry = OffsetFetchRequest.OffsetFetchRequestTopic()
        topicEntry.name = topic
        topicEntry.partitionIndexes = [0]
        var request = OffsetFetchRequest()
        request.groupId = group
        request.topics = [topicEntry]
        let response = try await client.request(request, apiKey: .offsetFetch, version: 7, as: OffsetFetchResponse.self)
        return try #require(response.topics.first?.partitions.first)
    }

    @Test("join, sync, heartbeat and commit; stale and unknown members get Kafka's error codes; offsets survive a restart")
    func lifecycle() async throws {
        let directory = try await withEmbeddedBroker(configure: noDelay, keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.produce(topic: "events", batch: helper.batch(["a", "b"]))
            let first = try await join(client, group: "g1")
            #expect(first.errorCode == KafkaErrorCode.memberIdRequired.code)
            let joined = try await join(client, group: "g1", memberId: first.memberId)
            #expect(joined.errorCode == 0)
            #expect(joined.leader == joined.memberId)
            #expect(joined.generationId == 1)
            let synced = try await sync(client, group: "g1", joined: joined)
            #expect(synced.errorCode == 0)
            #expect(synced.assignment == ByteBuffer(string: "all yours"))

            var heartbeat = HeartbeatRequest()
            heartbeat.groupId = "g1"
            heartbeat.generationId = joined.generationId
            heartbeat.memberId = joined.memberId
            #expect(try await client.request(heartbeat, apiKey: .heartbeat, version: 3, as: HeartbeatResponse.self).errorCode == 0)
            heartbeat.memberId = "stranger"
            #expect(try await client.request(heartbeat, apiKey: .heartbeat, version: 3, as: HeartbeatResponse.self).errorCode == KafkaErrorCode.unknownMemberId.code)

            let metadata = "métadonnées ✓"
            #expect(try await commit(client, group: "g1", generation: joined.generationId, memberId: joined.memberId, topic: "events", offset: 2, metadata: metadata) == 0)
            #expect(try await commit(client, group: "g1", generation: 99, memberId: joined.memberId, topic: "events", offset: 1, metadata: nil) == KafkaErrorCode.illegalGeneration.code)
            #expect(try await commit(client, group: "g1", generation: joined.generationId, memberId: joined.memberId, topic: "events", offset: 1,
                                     metadata: String(repeating: "x", count: 5_000)) == KafkaErrorCode.offsetMetadataTooLarge.code)
            #expect(try await commit(client, group: "g1", generation: joined.generationId, memberId: joined.memberId, topic: "nowhere", offset: 1, metadata: nil) == KafkaErrorCode.unknownTopicOrPartition.code)
            let committed = try await fetchCommitted(client, group: "g1", topic: "events")
            #expect(committed.committedOffset == 2)
            #expect(committed.metadata == metadata)
            return broker.dataDirectory
        }
        try await withEmbeddedBroker(configure: { noDelay(&$0); $0.dataDirectory = directory }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let committed = try await fetchCommitted(client, group: "g1", topic: "events")
            #expect(committed.committedOffset == 2)
            #expect(committed.metadata == "métadonnées ✓")
            let unknownGroup = try await fetchCommitted(client, group: "never-joined", topic: "events")
            #expect(unknownGroup.committedOffset == -1)
        }
    }

    @Test("a group with members cannot be deleted; an empty one can, with its offsets")
    func deleteGroups() async throws {
        try await withEmbeddedBroker(configure: noDelay) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.produce(topic: "events", batch: helper.batch(["a"]))
            #expect(try await commit(client, group: "standalone", generation: -1, memberId: "", topic: "events", offset: 1, metadata: nil) == 0)
            // Synced, so a slow machine cannot expire it for a missed sync (rebalance timeout) before the delete.
            let first = try await join(client, group: "busy")
            let busy = try await join(client, group: "busy", memberId: first.memberId)
            #expect(try await sync(client, group: "busy", joined: busy).errorCode == 0)
            // A group whose only member left is known and empty, with no offsets.
            let leaver = try await join(client, group: "emptied")
            let joined = try await join(client, group: "emptied", memberId: leaver.memberId)
            var leave = LeaveGroupRequest()
            leave.groupId = "emptied"
            leave.memberId = joined.memberId
            #expect(try await client.request(leave, apiKey: .leaveGroup, version: 2, as: LeaveGroupResponse.self).errorCode == 0)
            var request = DeleteGroupsRequest()
            request.groupsNames = ["busy", "standalone", "missing", "emptied"]
            let response = try await client.request(request, apiKey: .deleteGroups, version: 2, as: DeleteGroupsResponse.self)
            #expect(response.results.map(\.errorCode) == [KafkaErrorCode.nonEmptyGroup.code, 0, KafkaErrorCode.groupIdNotFound.code, 0])
            #expect(try await fetchCommitted(client, group: "standalone", topic: "events").committedOffset == -1)
        }
    }
}
