@testable import BargeBroker
import KafkaProtocol
import Testing

@Suite("GroupStateMachine: session expiry and timers")
struct GroupStateMachineExpiryTests {
    @Test("a silent member is removed when its session lapses, and the group rebalances")
    func sessionExpiry() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let t = harness.now
        #expect(harness.heartbeat(ids[0], at: t + 6000) == KafkaErrorCode.none)
        #expect(harness.group.nextDeadline == t + 10_000)
        #expect(harness.group.expire(now: t + 9999).isEmpty)
        _ = harness.group.expire(now: t + 10_000)
        #expect(harness.group.member(ids[1]) == nil)
        #expect(harness.group.state == .preparingRebalance)
        #expect(harness.heartbeat(ids[1], at: t + 10_001) == .unknownMemberId)
    }

    @Test("the last member's session lapsing empties the group")
    func lastSessionExpiry() {
        var harness = GroupHarness()
        _ = harness.stableGroup(["a"])
        _ = harness.group.expire(now: harness.now + 10_000)
        #expect(harness.group.state == .empty)
        #expect(harness.group.generationId == 2)
        #expect(harness.group.nextDeadline == nil)
    }

    @Test("members waiting on a JoinGroup are not expelled by their session; new ones by the new-member timeout")
    func waitingMembersDoNotExpire() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let t = harness.now
        let rejoin = harness.join(joinRequest(memberId: ids[0], client: "a"), at: t + 1)
        let newcomer = harness.join(joinRequest(client: "c", rebalance: 600_000), at: t + 2)
        #expect(rejoin.actions.isEmpty && newcomer.actions.isEmpty)
        // b stays silent: its session ends the wait for it at t + 10000.
        let actions = harness.group.expire(now: t + 10_000)
        #expect(harness.group.member(ids[1]) == nil)
        let results = actions.joinResults
        #expect(results[rejoin.token]?.generationId == 2)
        #expect(results[newcomer.token]?.generationId == 2)
        #expect(results[rejoin.token]?.members.map(\.memberId) == [ids[0], "c-3"])
    }

    @Test("a new member whose JoinGroup waits longer than the new-member timeout is dropped")
    func newMemberJoinTimeout() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a"])
        let t = harness.now
        // a keeps heartbeating but never rejoins; the rebalance timeout is long.
        let newcomer = harness.join(joinRequest(client: "c", rebalance: 900_000), at: t)
        for step in 1...40 { _ = harness.heartbeat(ids[0], at: t + Int64(step) * 8000) }
        #expect(harness.group.nextDeadline == t + 300_000)
        let actions = harness.group.expire(now: t + 300_000)
        #expect(actions.joinResults[newcomer.token] == .failure(.unknownMemberId, memberId: ""))
        #expect(harness.group.member("c-2") == nil)
        #expect(harness.group.state == .preparingRebalance)
    }

    @Test("three members; one leaves, one is killed; the survivor takes over in a new generation")
    func threeMembersOneLeavesOneExpires() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b", "c"])
        #expect(harness.group.generationId == 1)
        let t = harness.now

        // b leaves cleanly.
        _ = harness.leave([ids[1]], at: t + 1000)
        #expect(harness.group.state == .preparingRebalance)
        // a learns of the rebalance from its heartbeat and rejoins; c was killed.
        #expect(harness.heartbeat(ids[0], at: t + 2000) == .rebalanceInProgress)
        let rejoin = harness.join(joinRequest(memberId: ids[0], client: "a"), at: t + 2000)
        #expect(rejoin.actions.isEmpty)
        #expect(harness.group.nextDeadline == t + 10_000)  // c's session

        let actions = harness.group.expire(now: t + 10_000)
        let joined = actions.joinResults[rejoin.token]
        #expect(joined?.generationId == 2)
        #expect(joined?.leaderId == ids[0])
        #expect(joined?.members.map(\.memberId) == [ids[0]])
        #expect(harness.group.members.map(\.memberId) == [ids[0]])

        let sync = harness.sync(ids[0], assignments: [ids[0]: "everything"], at: t + 10_001)
        #expect(sync.actions.syncResults[sync.token]?.assignmentString == "everything")
        #expect(harness.group.state == .stable)
        #expect(harness.heartbeat(ids[2], generation: 1, at: t + 10_002) == .unknownMemberId)
        #expect(harness.heartbeat(ids[0], at: t + 10_002) == KafkaErrorCode.none)
    }

    @Test("expire does nothing before any deadline")
    func nothingDue() {
        var harness = GroupHarness()
        let before = harness.stableGroup(["a", "b"])
        let snapshot = harness.group.members
        #expect(harness.group.expire(now: harness.now + 1).isEmpty)
        #expect(harness.group.members == snapshot)
        #expect(harness.group.members.map(\.memberId) == before)
    }
}
