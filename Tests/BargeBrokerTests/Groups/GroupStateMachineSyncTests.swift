@testable import BargeBroker
import KafkaProtocol
import NIOCore
import Testing

@Suite("GroupStateMachine: SyncGroup")
struct GroupStateMachineSyncTests {
    /// Two members through a join phase: completingRebalance, generation 1.
    private func completingGroup() -> GroupHarness {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "a"), at: 0)
        _ = harness.join(joinRequest(client: "b"), at: 0)
        _ = harness.finishJoinPhase()
        return harness
    }

    @Test("followers wait for the leader; the leader's assignment answers everyone and the group is stable")
    func leaderAssignmentAnswersWaitingFollowers() {
        var harness = completingGroup()
        let follower = harness.sync("b-2", at: harness.now)
        #expect(follower.actions.isEmpty)
        #expect(harness.group.state == .completingRebalance)

        let leader = harness.sync("a-1", assignments: ["a-1": "pa", "b-2": "pb", "ghost": "px"], at: harness.now)
        let results = leader.actions.syncResults
        #expect(results[follower.token]?.error == KafkaErrorCode.none)
        #expect(results[follower.token]?.assignmentString == "pb")
        #expect(results[follower.token]?.protocolName == "range")
        #expect(results[follower.token]?.protocolType == "consumer")
        #expect(results[leader.token]?.assignmentString == "pa")
        #expect(harness.group.state == .stable)
        #expect(harness.group.member("ghost") == nil)
    }

    @Test("a member the leader left out gets an empty assignment")
    func missingAssignmentIsEmpty() {
        var harness = completingGroup()
        let follower = harness.sync("b-2", at: harness.now)
        let leader = harness.sync("a-1", assignments: ["a-1": "pa"], at: harness.now)
        #expect(leader.actions.syncResults[follower.token]?.error == KafkaErrorCode.none)
        #expect(leader.actions.syncResults[follower.token]?.assignment.readableBytes == 0)
    }

    @Test("in a stable group SyncGroup answers at once with the member's assignment")
    func stableSyncAnswersAtOnce() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let (token, actions) = harness.sync(ids[1], at: harness.now + 1)
        #expect(actions.syncResults[token]?.assignmentString == "assigned-\(ids[1])")
        #expect(actions.count == 1)
    }

    @Test("SyncGroup errors: unknown member, wrong generation, protocol mismatch, rebalance, dead group")
    func syncErrors() {
        var harness = completingGroup()
        let t = harness.now
        let ghost = harness.sync("ghost", at: t)
        #expect(ghost.actions == [.respondSync(ghost.token, .failure(.unknownMemberId))])
        let stale = harness.sync("b-2", generation: 0, at: t)
        #expect(stale.actions.syncResults[stale.token]?.error == .illegalGeneration)

        let token = harness.token()
        let wrongName = GroupSyncRequest(
            memberId: "b-2", groupInstanceId: nil, generationId: 1, protocolType: "consumer", protocolName: "roundrobin",
            assignments: [:])
        #expect(harness.group.sync(wrongName, token: token, now: t).syncResults[token]?.error == .inconsistentGroupProtocol)
        var wrongType = wrongName
        wrongType.protocolName = "range"
        wrongType.protocolType = "connect"
        #expect(harness.group.sync(wrongType, token: token, now: t).syncResults[token]?.error == .inconsistentGroupProtocol)

        _ = harness.join(joinRequest(client: "c"), at: t)  // a new member: rebalance
        #expect(harness.group.state == .preparingRebalance)
        let during = harness.sync("b-2", at: t)
        #expect(during.actions.syncResults[during.token]?.error == .rebalanceInProgress)

        var dead = GroupHarness()
        _ = dead.group.delete()
        let late = dead.sync("a-1", at: 0)
        #expect(late.actions.syncResults[late.token]?.error == .coordinatorNotAvailable)
    }

    @Test("a rebalance while syncs wait answers them with REBALANCE_IN_PROGRESS")
    func rebalanceAnswersWaitingSyncs() {
        var harness = completingGroup()
        let follower = harness.sync("b-2", at: harness.now)
        let newcomer = harness.join(joinRequest(client: "c"), at: harness.now + 1)
        #expect(newcomer.actions.syncResults[follower.token] == .failure(.rebalanceInProgress))
        #expect(harness.group.state == .preparingRebalance)
        #expect(harness.group.member("b-2")?.syncToken == nil)
    }

    @Test("members that do not sync within the rebalance timeout are removed and the group rebalances")
    func syncDeadlineRemovesLaggards() {
        var harness = completingGroup()
        let t = harness.now
        let leader = harness.sync("a-1", assignments: ["a-1": "pa", "b-2": "pb"], at: t)
        #expect(leader.actions.syncResults[leader.token]?.assignmentString == "pa")
        #expect(harness.group.state == .stable)
        #expect(harness.group.pendingSyncMemberIds == ["b-2"])
        #expect(harness.group.syncDeadline == t + 30_000)
        for step in 1...3 {
            // Heartbeats keep both sessions alive; only the missing sync counts.
            #expect(harness.heartbeat("a-1", at: t + Int64(step) * 9000) == KafkaErrorCode.none)
            #expect(harness.heartbeat("b-2", at: t + Int64(step) * 9000) == KafkaErrorCode.none)
        }
        #expect(harness.group.nextDeadline == t + 30_000)
        #expect(harness.group.expire(now: t + 29_999).isEmpty)
        _ = harness.group.expire(now: t + 30_000)
        #expect(harness.group.member("b-2") == nil)
        #expect(harness.group.member("a-1") != nil)
        #expect(harness.heartbeat("a-1", at: t + 30_001) == .rebalanceInProgress)
        #expect(harness.group.state == .preparingRebalance)
    }
}
