@testable import BargeBroker
import KafkaProtocol
import Testing

@Suite("GroupStateMachine: LeaveGroup")
struct GroupStateMachineLeaveTests {
    @Test("a member leaving a stable group starts a rebalance; the rest complete it by rejoining")
    func leaveRebalances() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let t = harness.now
        let (result, actions) = harness.leave([ids[0]], at: t + 1)
        #expect(result == GroupLeaveResult(error: .none, members: [.init(memberId: ids[0], groupInstanceId: nil, error: .none)]))
        #expect(actions.isEmpty)
        #expect(harness.group.state == .preparingRebalance)
        #expect(harness.group.leaderId == ids[1])
        let rejoin = harness.join(joinRequest(memberId: ids[1], client: "b"), at: t + 2)
        let joined = rejoin.actions.joinResults[rejoin.token]
        #expect(joined?.generationId == 2)
        #expect(joined?.leaderId == ids[1])
        #expect(joined?.members.map(\.memberId) == [ids[1]])
    }

    @Test("the last member leaving empties the group and ends the generation")
    func lastMemberLeaves() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a"])
        let (result, _) = harness.leave([ids[0]], at: harness.now + 1)
        #expect(result.members.map(\.error) == [KafkaErrorCode.none])
        #expect(harness.group.state == .empty)
        #expect(harness.group.generationId == 2)
        #expect(harness.group.members.isEmpty)
        #expect(harness.group.leaderId == nil)
        #expect(harness.group.protocolName == nil)
        #expect(harness.group.nextDeadline == nil)
    }

    @Test("a leave lets a waiting rebalance complete for the members that rejoined")
    func leaveCompletesRebalance() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let rejoin = harness.join(joinRequest(memberId: ids[0], client: "a"), at: harness.now + 1)
        #expect(rejoin.actions.isEmpty)
        let (_, actions) = harness.leave([ids[1]], at: harness.now + 2)
        #expect(actions.joinResults[rejoin.token]?.generationId == 2)
        #expect(harness.group.state == .completingRebalance)
    }

    @Test("a batch leave reports each member: unknown ids, pending ids, static members by instance id")
    func batchLeave() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "s", instance: "inst"), at: 0)
        _ = harness.join(joinRequest(client: "d"), at: 0)
        _ = harness.finishJoinPhase()
        _ = harness.join(joinRequest(client: "p", requireKnownMemberId: true), at: harness.now)
        #expect(harness.group.pendingMembers.keys.contains("p-3"))
        let (result, _) = harness.group.leave(
            [
                GroupLeavingMember(memberId: "", groupInstanceId: "inst"),
                GroupLeavingMember(memberId: "ghost", groupInstanceId: nil),
                GroupLeavingMember(memberId: "p-3", groupInstanceId: nil),
                GroupLeavingMember(memberId: "", groupInstanceId: "unknown-inst"),
                GroupLeavingMember(memberId: "d-2", groupInstanceId: "wrong-inst"),
            ], now: harness.now)
        #expect(result.error == KafkaErrorCode.none)
        #expect(result.members.map(\.error) == [.none, .unknownMemberId, .none, .unknownMemberId, .unknownMemberId])
        #expect(result.members.map(\.groupInstanceId) == ["inst", nil, nil, "unknown-inst", "wrong-inst"])
        #expect(harness.group.members.map(\.memberId) == ["d-2"])
        #expect(harness.group.pendingMembers.isEmpty)
    }

    @Test("a dead group answers LeaveGroup with COORDINATOR_NOT_AVAILABLE")
    func deadGroup() {
        var harness = GroupHarness()
        _ = harness.group.delete()
        #expect(harness.leave(["a"], at: 0).result == GroupLeaveResult(error: .coordinatorNotAvailable, members: []))
    }
}
