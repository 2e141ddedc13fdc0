@testable import BargeBroker
import KafkaProtocol
import Testing

@Suite("GroupStateMachine: static membership")
struct GroupStateMachineStaticMemberTests {
    /// Two static members "i1" (leader) and "i2", stable at generation 1.
    private func stableStaticGroup() -> (GroupHarness, [String]) {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "a", instance: "i1"), at: 0)
        _ = harness.join(joinRequest(client: "b", instance: "i2"), at: 0)
        _ = harness.finishJoinPhase()
        let ids = harness.group.members.map(\.memberId)
        _ = harness.sync(ids[1], instance: "i2", at: harness.now)
        _ = harness.sync(ids[0], assignments: [ids[0]: "p0", ids[1]: "p1"], instance: "i1", at: harness.now)
        precondition(harness.group.state == .stable)
        return (harness, ids)
    }

    @Test("static member ids are built from the instance id")
    func staticMemberIds() {
        let (harness, ids) = stableStaticGroup()
        #expect(ids == ["i1-1", "i2-2"])
        #expect(harness.group.leaderId == "i1-1")
    }

    @Test("a restarted static member gets the current generation and its assignment without a rebalance")
    func restartKeepsAssignment() {
        var (harness, ids) = stableStaticGroup()
        let t = harness.now
        let (token, actions) = harness.join(joinRequest(client: "b", instance: "i2"), at: t + 100)
        let result = actions.joinResults[token]
        #expect(result?.error == KafkaErrorCode.none)
        #expect(result?.memberId == "i2-3")
        #expect(result?.generationId == 1)
        #expect(result?.leaderId == ids[0])
        #expect(result?.members.isEmpty == true)
        #expect(harness.group.state == .stable)
        #expect(harness.group.generationId == 1)

        let sync = harness.sync("i2-3", instance: "i2", at: t + 200)
        #expect(sync.actions.syncResults[sync.token]?.assignmentString == "p1")
        #expect(harness.heartbeat("i2-3", instance: "i2", at: t + 300) == KafkaErrorCode.none)
    }

    @Test("the replaced member id is fenced on every API")
    func oldMemberIdFenced() {
        var (harness, ids) = stableStaticGroup()
        let t = harness.now
        _ = harness.join(joinRequest(client: "b", instance: "i2"), at: t + 100)
        #expect(harness.heartbeat(ids[1], instance: "i2", at: t + 200) == .fencedInstanceId)
        let sync = harness.sync(ids[1], instance: "i2", at: t + 200)
        #expect(sync.actions.syncResults[sync.token]?.error == .fencedInstanceId)
        let join = harness.join(joinRequest(memberId: ids[1], client: "b", instance: "i2"), at: t + 200)
        #expect(join.actions.joinResults[join.token]?.error == .fencedInstanceId)
        let leave = harness.group.leave([GroupLeavingMember(memberId: ids[1], groupInstanceId: "i2")], now: t + 200)
        #expect(leave.result.members.map(\.error) == [.fencedInstanceId])
        #expect(
            harness.group.validateOffsetCommit(memberId: ids[1], groupInstanceId: "i2", generationId: 1, now: t + 200)
                == .fencedInstanceId)
        #expect(harness.group.members.map(\.memberId) == [ids[0], "i2-3"])
    }

    @Test("a restarted leader is told the old leader id, so it does not compute an assignment")
    func restartedLeaderNotLeader() {
        var (harness, ids) = stableStaticGroup()
        let (token, actions) = harness.join(joinRequest(client: "a", instance: "i1"), at: harness.now + 1)
        let result = actions.joinResults[token]
        #expect(result?.memberId == "i1-3")
        #expect(result?.leaderId == ids[0])
        #expect(result?.members.isEmpty == true)
        #expect(harness.group.leaderId == "i1-3")
        #expect(harness.group.state == .stable)
    }

    @Test("a restart that changes the selected assignor starts a rebalance")
    func restartWithNewProtocolRebalances() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "a", instance: "i1", protocols: [("range", "m"), ("roundrobin", "m")]), at: 0)
        _ = harness.join(joinRequest(client: "b", instance: "i2", protocols: [("roundrobin", "m"), ("range", "m")]), at: 0)
        _ = harness.finishJoinPhase()
        #expect(harness.group.protocolName == "range")  // tie: the first member's preference
        for id in ["i2-2", "i1-1"] { _ = harness.sync(id, instance: id == "i1-1" ? "i1" : "i2", at: harness.now) }
        #expect(harness.group.state == .stable)

        let (token, actions) = harness.join(
            joinRequest(client: "a", instance: "i1", protocols: [("roundrobin", "m"), ("range", "m")]), at: harness.now + 1)
        #expect(actions.joinResults[token] == nil)
        #expect(harness.group.state == .preparingRebalance)
    }

    @Test("a restart during completingRebalance fences the waiting sync and rebalances")
    func restartWhileCompleting() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "a", instance: "i1"), at: 0)
        _ = harness.join(joinRequest(client: "b", instance: "i2"), at: 0)
        _ = harness.finishJoinPhase()
        let waiting = harness.sync("i2-2", instance: "i2", at: harness.now)
        let restart = harness.join(joinRequest(client: "b", instance: "i2"), at: harness.now + 1)
        #expect(restart.actions.syncResults[waiting.token] == .failure(.fencedInstanceId))
        #expect(restart.actions.joinResults[restart.token] == nil)
        #expect(harness.group.state == .preparingRebalance)
        let leader = harness.join(joinRequest(memberId: "i1-1", client: "a", instance: "i1"), at: harness.now + 2)
        let results = leader.actions.joinResults
        #expect(results[restart.token]?.memberId == "i2-3")
        #expect(results[restart.token]?.generationId == 2)
        #expect(results[leader.token]?.members.map(\.memberId) == ["i1-1", "i2-3"])
    }

    @Test("a restart while a JoinGroup waits fences the old JoinGroup")
    func restartWhilePreparing() {
        var (harness, ids) = stableStaticGroup()
        let old = harness.join(joinRequest(memberId: ids[0], client: "a", instance: "i1"), at: harness.now + 1)
        #expect(harness.group.state == .preparingRebalance)
        let restart = harness.join(joinRequest(client: "a", instance: "i1"), at: harness.now + 2)
        #expect(restart.actions.joinResults[old.token] == .failure(.fencedInstanceId, memberId: ids[0]))
        #expect(harness.group.member("i1-3")?.joinToken == restart.token)
        #expect(harness.group.leaderId == "i1-3")
    }

    @Test("a static member that misses a rebalance keeps its place until its session lapses")
    func absentStaticMemberKept() {
        var (harness, ids) = stableStaticGroup()
        let t = harness.now
        let rejoin = harness.join(joinRequest(memberId: ids[0], client: "a", instance: "i1"), at: t + 1)
        #expect(harness.heartbeat(ids[1], instance: "i2", at: t + 9000) == .rebalanceInProgress)
        // i2 heartbeats but never rejoins; the join phase ends at the rebalance timeout.
        _ = harness.heartbeat(ids[1], instance: "i2", at: t + 18_000)
        _ = harness.heartbeat(ids[1], instance: "i2", at: t + 27_000)
        let results = harness.group.expire(now: t + 30_001).joinResults
        #expect(results[rejoin.token]?.generationId == 2)
        #expect(results[rejoin.token]?.members.map(\.memberId) == ids)
        #expect(harness.group.member(ids[1]) != nil)
    }

    @Test("an administrator removes a static member by instance id alone")
    func adminRemovesByInstanceId() {
        var (harness, ids) = stableStaticGroup()
        let (result, _) = harness.group.leave([GroupLeavingMember(memberId: "", groupInstanceId: "i2")], now: harness.now)
        #expect(result.members.map(\.error) == [KafkaErrorCode.none])
        #expect(harness.group.members.map(\.memberId) == [ids[0]])
        #expect(harness.group.state == .preparingRebalance)
    }
}
