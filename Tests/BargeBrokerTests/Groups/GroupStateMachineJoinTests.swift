@testable import BargeBroker
import KafkaProtocol
import NIOCore
import Testing

@Suite("GroupStateMachine: JoinGroup")
struct GroupStateMachineJoinTests {
    @Test("the first join of an empty group waits the initial rebalance delay")
    func initialDelay() {
        var harness = GroupHarness(initialDelayMs: 3000)
        let (token, actions) = harness.join(joinRequest(client: "alice"), at: 100)
        #expect(actions.isEmpty)
        #expect(harness.group.state == .preparingRebalance)
        #expect(harness.group.nextDeadline == 3100)
        #expect(harness.group.expire(now: 3099).isEmpty)

        let result = harness.group.expire(now: 3100).joinResults[token]
        #expect(result?.error == KafkaErrorCode.none)
        #expect(result?.memberId == "alice-1")
        #expect(result?.generationId == 1)
        #expect(result?.leaderId == "alice-1")
        #expect(result?.protocolType == "consumer")
        #expect(result?.protocolName == "range")
        #expect(result?.members.map(\.memberId) == ["alice-1"])
        #expect(harness.group.state == .completingRebalance)
    }

    @Test("the initial delay is extended while members keep arriving, up to the rebalance timeout")
    func initialDelayExtendedUpToRebalanceTimeout() {
        var harness = GroupHarness(initialDelayMs: 3000)
        _ = harness.join(joinRequest(client: "a", rebalance: 10_000), at: 0)
        _ = harness.join(joinRequest(client: "b", rebalance: 10_000), at: 1000)
        #expect(harness.group.expire(now: 3000).isEmpty)
        #expect(harness.group.nextDeadline == 6000)
        _ = harness.join(joinRequest(client: "c", rebalance: 10_000), at: 4000)
        #expect(harness.group.expire(now: 6000).isEmpty)
        #expect(harness.group.nextDeadline == 9000)
        _ = harness.join(joinRequest(client: "d", rebalance: 10_000), at: 7000)
        #expect(harness.group.expire(now: 9000).isEmpty)
        #expect(harness.group.nextDeadline == 10_000)
        _ = harness.join(joinRequest(client: "e", rebalance: 10_000), at: 9500)

        let results = harness.group.expire(now: 10_000).joinResults
        #expect(results.count == 5)
        #expect(Set(results.values.map(\.generationId)) == [1])
        #expect(harness.group.state == .completingRebalance)
    }

    @Test("without new members the initial delay ends after one step")
    func initialDelayNotExtendedWithoutNewMembers() {
        var harness = GroupHarness(initialDelayMs: 3000)
        let first = harness.join(joinRequest(client: "a"), at: 0)
        let results = harness.group.expire(now: 3000).joinResults
        #expect(results[first.token]?.generationId == 1)
    }

    @Test("with no initial delay the sole member's join completes at once")
    func noInitialDelay() {
        var harness = GroupHarness(initialDelayMs: 0)
        let (token, actions) = harness.join(joinRequest(client: "a"), at: 0)
        #expect(actions.joinResults[token]?.generationId == 1)
        #expect(harness.group.state == .completingRebalance)
    }

    @Test("a new member on v4+ gets MEMBER_ID_REQUIRED with a generated id, then joins with it")
    func memberIdRequired() {
        var harness = GroupHarness(initialDelayMs: 0)
        let first = harness.join(joinRequest(client: "app", requireKnownMemberId: true), at: 0)
        let required = first.actions.joinResults[first.token]
        #expect(required?.error == .memberIdRequired)
        #expect(required?.memberId == "app-1")
        #expect(required?.generationId == -1)
        #expect(harness.group.pendingMembers["app-1"] == 10_000)
        #expect(harness.group.state == .empty)
        #expect(harness.group.members.isEmpty)

        let second = harness.join(joinRequest(memberId: "app-1", client: "app", requireKnownMemberId: true), at: 10)
        let joined = second.actions.joinResults[second.token]
        #expect(joined?.error == KafkaErrorCode.none)
        #expect(joined?.memberId == "app-1")
        #expect(joined?.generationId == 1)
        #expect(harness.group.pendingMembers.isEmpty)
    }

    @Test("a member id handed out with MEMBER_ID_REQUIRED lapses after the session timeout")
    func pendingMemberLapses() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "app", session: 6000, requireKnownMemberId: true), at: 0)
        #expect(harness.group.nextDeadline == 6000)
        _ = harness.group.expire(now: 6000)
        #expect(harness.group.pendingMembers.isEmpty)
        let late = harness.join(joinRequest(memberId: "app-1", requireKnownMemberId: true), at: 6001)
        #expect(late.actions.joinResults[late.token]?.error == .unknownMemberId)
    }

    @Test("a pending member holds the rebalance open until it joins")
    func pendingMemberBlocksCompletion() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a"])
        let t = harness.now
        let pending = harness.join(joinRequest(client: "b", requireKnownMemberId: true), at: t + 1)
        #expect(pending.actions.joinResults[pending.token]?.error == .memberIdRequired)
        #expect(harness.group.state == .stable)
        let rejoin = harness.join(joinRequest(memberId: ids[0], client: "a"), at: t + 2)
        #expect(rejoin.actions.isEmpty)
        #expect(harness.group.state == .preparingRebalance)
        let second = harness.join(joinRequest(memberId: "b-2", client: "b"), at: t + 3)
        let results = second.actions.joinResults
        #expect(results[rejoin.token]?.generationId == 2)
        #expect(results[second.token]?.generationId == 2)
        #expect(results[rejoin.token]?.members.map(\.memberId) == [ids[0], "b-2"])
        #expect(results[second.token]?.members.isEmpty == true)
    }

    @Test("the first member to join leads; the leader alone gets the members' metadata")
    func leaderGetsMembers() {
        var harness = GroupHarness()
        let a = harness.join(joinRequest(client: "a", protocols: [("range", "ma")]), at: 0)
        let b = harness.join(joinRequest(client: "b", protocols: [("range", "mb")]), at: 1)
        let results = harness.finishJoinPhase().joinResults
        #expect(results[a.token]?.leaderId == "a-1")
        #expect(results[b.token]?.leaderId == "a-1")
        let members = results[a.token]?.members ?? []
        #expect(members.map(\.memberId) == ["a-1", "b-2"])
        #expect(members.map { String(buffer: $0.metadata) } == ["ma", "mb"])
        #expect(results[b.token]?.members.isEmpty == true)
    }

    @Test(
        "the assignor supported by all with the most first-choice votes is selected",
        arguments: [
            ([["roundrobin", "range"], ["range", "roundrobin"], ["range", "roundrobin"]], "range"),
            ([["cooperative-sticky", "range"], ["range"]], "range"),
            ([["roundrobin", "range"], ["range", "roundrobin"]], "roundrobin"),
            ([["sticky", "roundrobin", "range"], ["range", "roundrobin"], ["roundrobin", "range"]], "roundrobin"),
        ])
    func protocolSelection(preferences: [[String]], expected: String) {
        var harness = GroupHarness()
        for (index, names) in preferences.enumerated() {
            _ = harness.join(joinRequest(client: "c\(index)", protocols: names.map { ($0, "m-\($0)") }), at: 0)
        }
        let results = harness.finishJoinPhase().joinResults
        #expect(Set(results.values.map(\.protocolName)) == [expected])
        let leader = results.values.first { !$0.members.isEmpty }
        #expect(leader?.members.allSatisfy { String(buffer: $0.metadata) == "m-\(expected)" } == true)
    }

    @Test("a join with another protocol type, no common assignor or no assignor is INCONSISTENT_GROUP_PROTOCOL")
    func inconsistentProtocol() {
        var harness = GroupHarness()
        let none = harness.join(joinRequest(protocols: []), at: 0)
        #expect(none.actions.joinResults[none.token]?.error == .inconsistentGroupProtocol)
        let emptyType = harness.join(joinRequest(type: ""), at: 0)
        #expect(emptyType.actions.joinResults[emptyType.token]?.error == .inconsistentGroupProtocol)

        _ = harness.stableGroup(["a"])
        let otherType = harness.join(joinRequest(type: "connect"), at: harness.now + 1)
        #expect(otherType.actions.joinResults[otherType.token]?.error == .inconsistentGroupProtocol)
        let noCommon = harness.join(joinRequest(protocols: [("roundrobin", "m")]), at: harness.now + 1)
        #expect(noCommon.actions.joinResults[noCommon.token]?.error == .inconsistentGroupProtocol)
        #expect(harness.group.state == .stable)
        #expect(harness.group.members.count == 1)
    }

    @Test("a session timeout outside the broker's bounds is INVALID_SESSION_TIMEOUT", arguments: [5999, 1_800_001])
    func invalidSessionTimeout(session: Int32) {
        var harness = GroupHarness()
        let (token, actions) = harness.join(joinRequest(session: session), at: 0)
        #expect(actions.joinResults[token]?.error == .invalidSessionTimeout)
        #expect(harness.group.state == .empty)
    }

    @Test("a join with a member id the group does not know is UNKNOWN_MEMBER_ID")
    func unknownMember() {
        var harness = GroupHarness()
        let (token, actions) = harness.join(joinRequest(memberId: "ghost"), at: 0)
        #expect(actions.joinResults[token] == .failure(.unknownMemberId, memberId: "ghost"))
    }

    @Test("a pending member id presented with a group instance id is INVALID_REQUEST")
    func pendingMemberWithInstanceId() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "app", requireKnownMemberId: true), at: 0)
        let (token, actions) = harness.join(joinRequest(memberId: "app-1", instance: "i"), at: 1)
        #expect(actions.joinResults[token]?.error == .invalidRequest)
    }

    @Test("a follower rejoining a stable group unchanged gets the current generation without a rebalance")
    func followerRejoinUnchanged() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let (token, actions) = harness.join(joinRequest(memberId: ids[1], client: "b"), at: harness.now + 1)
        let result = actions.joinResults[token]
        #expect(result?.generationId == 1)
        #expect(result?.leaderId == ids[0])
        #expect(result?.members.isEmpty == true)
        #expect(harness.group.state == .stable)
    }

    @Test("the leader rejoining a stable group starts a rebalance")
    func leaderRejoinRebalances() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let leader = harness.join(joinRequest(memberId: ids[0], client: "a"), at: harness.now + 1)
        #expect(leader.actions.isEmpty)
        #expect(harness.group.state == .preparingRebalance)
        #expect(harness.heartbeat(ids[1], at: harness.now + 2) == .rebalanceInProgress)
        let follower = harness.join(joinRequest(memberId: ids[1], client: "b"), at: harness.now + 3)
        let results = follower.actions.joinResults
        #expect(results[leader.token]?.generationId == 2)
        #expect(results[follower.token]?.generationId == 2)
        #expect(harness.group.state == .completingRebalance)
    }

    @Test("a follower rejoining with a changed subscription starts a rebalance")
    func followerChangedMetadataRebalances() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b"])
        let (_, actions) = harness.join(joinRequest(memberId: ids[1], client: "b", protocols: [("range", "new")]), at: harness.now + 1)
        #expect(actions.isEmpty)
        #expect(harness.group.state == .preparingRebalance)
    }

    @Test("a member rejoining during completingRebalance unchanged gets its join answer again")
    func rejoinWhileCompleting() {
        var harness = GroupHarness()
        _ = harness.join(joinRequest(client: "a"), at: 0)
        _ = harness.join(joinRequest(client: "b"), at: 0)
        _ = harness.finishJoinPhase()
        let leader = harness.join(joinRequest(memberId: "a-1", client: "a"), at: 6100)
        #expect(leader.actions.joinResults[leader.token]?.members.map(\.memberId) == ["a-1", "b-2"])
        let follower = harness.join(joinRequest(memberId: "b-2", client: "b"), at: 6100)
        #expect(follower.actions.joinResults[follower.token]?.generationId == 1)
        #expect(follower.actions.joinResults[follower.token]?.members.isEmpty == true)
        #expect(harness.group.state == .completingRebalance)
    }

    @Test("a second JoinGroup from a waiting member supersedes the first, answered REBALANCE_IN_PROGRESS")
    func supersededJoin() {
        var harness = GroupHarness()
        let first = harness.join(joinRequest(client: "a"), at: 0)
        _ = harness.join(joinRequest(client: "b"), at: 0)
        let again = harness.join(joinRequest(memberId: "a-1", client: "a"), at: 10)
        #expect(again.actions.joinResults[first.token] == .failure(.rebalanceInProgress, memberId: "a-1"))
        let results = harness.finishJoinPhase().joinResults
        #expect(results[again.token]?.generationId == 1)
        #expect(results[first.token] == nil)
    }

    @Test("the rebalance timeout removes members that did not rejoin; the first that did leads")
    func rebalanceTimeoutRemovesLaggards() {
        var harness = GroupHarness()
        let ids = harness.stableGroup(["a", "b", "c"])
        let t = harness.now
        let c = harness.join(joinRequest(memberId: ids[2], client: "c", protocols: [("range", "changed")]), at: t)
        let b = harness.join(joinRequest(memberId: ids[1], client: "b"), at: t + 1)
        // The old leader keeps heartbeating but never rejoins.
        for step in 1...3 {
            #expect(harness.heartbeat(ids[0], at: t + Int64(step) * 9000) == .rebalanceInProgress)
        }
        #expect(harness.group.nextDeadline == t + 30_000)
        #expect(harness.group.expire(now: t + 29_999).isEmpty)
        let results = harness.group.expire(now: t + 30_000).joinResults
        #expect(results[b.token]?.generationId == 2)
        #expect(results[b.token]?.leaderId == ids[1])
        #expect(results[b.token]?.members.map(\.memberId) == [ids[1], ids[2]])
        #expect(results[c.token]?.members.isEmpty == true)
        #expect(harness.group.member(ids[0]) == nil)
        #expect(harness.heartbeat(ids[0], at: t + 30_001) == .unknownMemberId)
    }

    @Test("a dead group answers COORDINATOR_NOT_AVAILABLE")
    func deadGroup() {
        var harness = GroupHarness()
        #expect(harness.group.delete() == KafkaErrorCode.none)
        let (token, actions) = harness.join(joinRequest(), at: 0)
        #expect(actions.joinResults[token]?.error == .coordinatorNotAvailable)
        #expect(harness.group.nextDeadline == nil)
    }
}
