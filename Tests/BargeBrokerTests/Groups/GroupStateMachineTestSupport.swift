@testable import BargeBroker
import Foundation
import KafkaProtocol
import NIOCore

/// Deterministic member id suffixes: 1, 2, 3, ...
final class SequentialSuffixes: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0

    func make() -> String {
        lock.lock()
        defer { lock.unlock() }
        next += 1
        return String(next)
    }
}

/// Drives a ``ConsumerGroupStateMachine`` the way the I/O layer would,
/// handing out request tokens and reading answers out of the actions.
struct GroupHarness {
    var group: ConsumerGroupStateMachine
    /// The time `finishJoinPhase` and `stableGroup` reached.
    var now: Int64 = 0
    private var lastToken: UInt64 = 0

    init(initialDelayMs: Int64 = 3000) {
        var configuration = GroupConfiguration()
        configuration.initialRebalanceDelayMs = initialDelayMs
        let suffixes = SequentialSuffixes()
        group = ConsumerGroupStateMachine(
            groupId: "g", configuration: configuration, makeMemberIdSuffix: { suffixes.make() })
    }

    mutating func token() -> GroupRequestToken {
        lastToken += 1
        return GroupRequestToken(lastToken)
    }

    mutating func join(_ request: GroupJoinRequest, at now: Int64) -> (token: GroupRequestToken, actions: [GroupAction]) {
        let token = token()
        return (token, group.join(request, token: token, now: now))
    }

    mutating func sync(
        _ memberId: String, generation: Int32? = nil, assignments: [String: String] = [:], instance: String? = nil,
        at now: Int64
    ) -> (token: GroupRequestToken, actions: [GroupAction]) {
        let token = token()
        let request = GroupSyncRequest(
            memberId: memberId, groupInstanceId: instance, generationId: generation ?? group.generationId,
            protocolType: nil, protocolName: nil, assignments: assignments.mapValues { ByteBuffer(string: $0) })
        return (token, group.sync(request, token: token, now: now))
    }

    mutating func heartbeat(_ memberId: String, generation: Int32? = nil, instance: String? = nil, at now: Int64)
        -> KafkaErrorCode
    {
        group.heartbeat(
            GroupHeartbeatRequest(memberId: memberId, groupInstanceId: instance, generationId: generation ?? group.generationId),
            now: now)
    }

    mutating func leave(_ memberIds: [String], at now: Int64) -> (result: GroupLeaveResult, actions: [GroupAction]) {
        group.leave(memberIds.map { GroupLeavingMember(memberId: $0, groupInstanceId: nil) }, now: now)
    }

    /// Fires the group's timer until the join phase is over (the initial
    /// delay may be extended), returning every action; `now` is then the
    /// completion time.
    mutating func finishJoinPhase() -> [GroupAction] {
        var actions: [GroupAction] = []
        while group.state == .preparingRebalance, let deadline = group.nextDeadline {
            now = deadline
            actions += group.expire(now: deadline)
        }
        return actions
    }

    /// Joins `clients` (dynamic, no MEMBER_ID_REQUIRED) at time 0, lets the
    /// initial delay pass and syncs with "assigned-<member id>" from the
    /// leader: a stable generation 1 at time `now`. Returns member ids in
    /// join order.
    mutating func stableGroup(_ clients: [String], protocols: [(String, String)] = [("range", "meta")]) -> [String] {
        for client in clients { _ = join(joinRequest(client: client, protocols: protocols), at: 0) }
        let results = finishJoinPhase().joinResults
        let ids = group.members.map(\.memberId)
        precondition(results.count == clients.count && group.state == .completingRebalance)
        let leader = group.leaderId!
        for id in ids where id != leader { _ = sync(id, at: now) }
        _ = sync(leader, assignments: Dictionary(uniqueKeysWithValues: ids.map { ($0, "assigned-\($0)") }), at: now)
        precondition(group.state == .stable)
        return ids
    }
}

func joinRequest(
    memberId: String = "", client: String = "client", instance: String? = nil, session: Int32 = 10_000,
    rebalance: Int32 = 30_000, type: String = "consumer", protocols: [(String, String)] = [("range", "meta")],
    requireKnownMemberId: Bool = false
) -> GroupJoinRequest {
    GroupJoinRequest(
        memberId: memberId, groupInstanceId: instance, clientId: client, clientHost: "/10.0.0.1",
        sessionTimeoutMs: session,
        rebalanceTimeoutMs: rebalance, protocolType: type,
        protocols: protocols.map { GroupProtocol(name: $0.0, metadata: ByteBuffer(string: $0.1)) },
        requireKnownMemberId: requireKnownMemberId)
}

extension [GroupAction] {
    var joinResults: [GroupRequestToken: GroupJoinResult] {
        var results: [GroupRequestToken: GroupJoinResult] = [:]
        for case .respondJoin(let token, let result) in self { results[token] = result }
        return results
    }

    var syncResults: [GroupRequestToken: GroupSyncResult] {
        var results: [GroupRequestToken: GroupSyncResult] = [:]
        for case .respondSync(let token, let result) in self { results[token] = result }
        return results
    }
}

extension GroupSyncResult {
    var assignmentString: String { String(buffer: assignment) }
}
