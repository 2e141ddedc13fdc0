@testable import BargeBroker
import KafkaProtocol
import Testing

@Suite("GroupStateMachine: DeleteGroups and OffsetCommit checks")
struct GroupStateMachineAdminTests {
    @Test("only an empty group can be deleted; a deleted group is dead")
    func delete() {
        var harness = GroupHarness()
        _ = harness.stableGroup(["a"])
        #expect(harness.group.delete() == .nonEmptyGroup)
        #expect(harness.group.state == .stable)
        _ = harness.leave([harness.group.members[0].memberId], at: harness.now)
        #expect(harness.group.delete() == KafkaErrorCode.none)
        #expect(harness.group.state == .dead)
        #expect(harness.group.delete() == .groupIdNotFound)
    }

    @Test("offset commits: members of the current generation only; anonymous commits only while empty")
    func offsetCommitValidation() {
        var harness = GroupHarness()
        #expect(harness.commit("", generation: -1, at: 0) == KafkaErrorCode.none)
        #expect(harness.commit("ghost", generation: 0, at: 0) == .unknownMemberId)

        _ = harness.join(joinRequest(client: "a"), at: 0)
        _ = harness.finishJoinPhase()
        let t = harness.now
        #expect(harness.commit("", generation: -1, at: t) == .unknownMemberId)
        #expect(harness.commit("a-1", generation: 1, at: t) == .rebalanceInProgress)
        _ = harness.sync("a-1", at: t)
        #expect(harness.commit("a-1", generation: 0, at: t) == .illegalGeneration)
        #expect(harness.commit("a-1", generation: 1, at: t + 5000) == KafkaErrorCode.none)
        #expect(harness.group.nextDeadline == t + 15_000)  // the commit counted as a heartbeat

        _ = harness.join(joinRequest(client: "b"), at: t + 5000)  // preparingRebalance: commits still allowed
        #expect(harness.commit("a-1", generation: 1, at: t + 5000) == KafkaErrorCode.none)

        var dead = GroupHarness()
        _ = dead.group.delete()
        #expect(dead.commit("", generation: -1, at: 0) == .coordinatorNotAvailable)
    }

    @Test("state names as DescribeGroups reports them")
    func stateNames() {
        #expect(
            [GroupState.empty, .preparingRebalance, .completingRebalance, .stable, .dead].map(\.kafkaName)
                == ["Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"])
    }
}

extension GroupHarness {
    fileprivate mutating func commit(_ memberId: String, generation: Int32, at now: Int64) -> KafkaErrorCode {
        group.validateOffsetCommit(memberId: memberId, groupInstanceId: nil, generationId: generation, now: now)
    }
}
