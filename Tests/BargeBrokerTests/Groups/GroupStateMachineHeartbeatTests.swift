@testable import BargeBroker
import KafkaProtocol
import Testing

@Suite("GroupStateMachine: Heartbeat")
struct GroupStateMachineHeartbeatTests {
    @Test("stable: NONE, and the session deadline moves")
    func stableHeartbeat() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a"])
        let t = harness.now
        #expect(harness.group.nextDeadline == t + 10_000)
        #expect(harness.heartbeat(ids[0], at: t + 5000) == KafkaErrorCode.none)
        #expect(harness.group.nextDeadline == t + 15_000)
        #expect(harness.group.expire(now: t + 10_000).isEmpty)
        #expect(harness.group.member(ids[0]) != nil)
    }

    @Test("completingRebalance: NONE; preparingRebalance: REBALANCE_IN_PROGRESS")
    func heartbeatDuringRebalance() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "a"), at: 0)
        _ = harness.finishJoinPhase()
        #expect(harness.group.state == .completingRebalance)
        #expect(harness.heartbeat("a-1", at: harness.now) == KafkaErrorCode.none)
        _ = harness.join(joinRequest(client: "b"), at: harness.now)
        #expect(harness.group.state == .preparingRebalance)
        #expect(harness.heartbeat("a-1", at: harness.now) == .rebalanceInProgress)
    }

    @Test("unknown member, stale generation, dead group")
    func heartbeatErrors() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a"])
        #expect(harness.heartbeat("ghost", at: harness.now) == .unknownMemberId)
        #expect(harness.heartbeat(ids[0], generation: 0, at: harness.now) == .illegalGeneration)
        #expect(harness.heartbeat(ids[0], generation: 2, at: harness.now) == .illegalGeneration)
        var empty = GroupHarness()
        #expect(empty.heartbeat("a", generation: 0, at: 0) == .unknownMemberId)
        #expect(empty.group.delete() == KafkaErrorCode.none)
        #expect(empty.heartbeat("a", generation: 0, at: 0) == .coordinatorNotAvailable)
    }
}
