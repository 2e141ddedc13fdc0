import Foundation
import KafkaProtocol
import NIOCore

/// The classic group coordinator's I/O side: owns every group's state
/// machine, parks JoinGroup and SyncGroup requests until their state machine
/// answers them, and applies deadlines when `tick()` runs (the broker calls
/// it every 100 ms). All group state changes go through this one actor.
actor GroupCoordinator {
    private var groups: [String: ConsumerGroupStateMachine] = [:]
    private var joins: [GroupRequestToken: CheckedContinuation<GroupJoinResult, Never>] = [:]
    private var syncs: [GroupRequestToken: CheckedContinuation<GroupSyncResult, Never>] = [:]
    /// When each group last became empty, wall-clock milliseconds (for offset retention, KIP-211).
    private var emptySince: [String: Int64] = [:]
    private var nextToken: UInt64 = 0
    private let configuration: GroupConfiguration
    private let clock: @Sendable () -> Int64

    /// - Parameter clock: milliseconds of a monotonic clock for session and
    ///   rebalance deadlines (a wall-clock jump must not expel every member).
    init(configuration: GroupConfiguration, clock: @escaping @Sendable () -> Int64 = { Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000) }) {
        self.configuration = configuration
        self.clock = clock
    }

    /// JoinGroup: returns when the group's join phase answers this member.
    func join(group groupId: String, _ request: GroupJoinRequest) async -> GroupJoinResult {
        let token = newToken()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                joins[token] = continuation
                update(groupId) { group, now in group.join(request, token: token, now: now) }
            }
        } onCancel: {
            Task { await self.abandon(token) }
        }
    }

    /// SyncGroup: returns when the leader's assignment (or an error) is there.
    func sync(group groupId: String, _ request: GroupSyncRequest) async -> GroupSyncResult {
        let token = newToken()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                syncs[token] = continuation
                update(groupId) { group, now in group.sync(request, token: token, now: now) }
            }
        } onCancel: {
            Task { await self.abandon(token) }
        }
    }

    func heartbeat(group groupId: String, _ request: GroupHeartbeatRequest) -> KafkaErrorCode {
        guard groups[groupId] != nil else { return .unknownMemberId }
        var error = KafkaErrorCode.none
        update(groupId) { group, now in
            error = group.heartbeat(request, now: now)
            return []
        }
        return error
    }

    func leave(group groupId: String, _ members: [GroupLeavingMember]) -> GroupLeaveResult {
        guard groups[groupId] != nil else {
            return GroupLeaveResult(error: .unknownMemberId, members: members.map {
                GroupLeaveResult.Member(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId, error: .unknownMemberId)
            })
        }
        var result = GroupLeaveResult(error: .none, members: [])
        update(groupId) { group, now in
            let (leaveResult, actions) = group.leave(members, now: now)
            result = leaveResult
            return actions
        }
        return result
    }

    /// Whether an OffsetCommit from this member may be stored (counts as a heartbeat).
    func validateCommit(group groupId: String, memberId: String, groupInstanceId: String?, generationId: Int32) -> KafkaErrorCode {
        if groups[groupId] == nil {
            // Offsets of a group nobody joined (assign-mode consumers).
            guard generationId < 0 && memberId.isEmpty && groupInstanceId == nil else { return .illegalGeneration }
            return .none
        }
        var error = KafkaErrorCode.none
        update(groupId) { group, now in
            error = group.validateOffsetCommit(memberId: memberId, groupInstanceId: groupInstanceId, generationId: generationId, now: now)
            return []
        }
        return error
    }

    /// DeleteGroups: only empty (or unknown-but-with-offsets) groups go.
    func delete(group groupId: String) -> KafkaErrorCode {
        guard var group = groups[groupId] else { return .none }
        let error = group.delete()
        if error == .none {
            groups[groupId] = nil
            emptySince[groupId] = nil
        } else {
            groups[groupId] = group
        }
        return error
    }

    /// A snapshot of one group for DescribeGroups, nil if it is not known.
    func describe(group groupId: String) -> ConsumerGroupStateMachine? { groups[groupId] }

    /// Every known group with its state and protocol type, for ListGroups.
    func list() -> [(groupId: String, state: GroupState, protocolType: String)] {
        groups.sorted { $0.key < $1.key }.map { ($0.key, $0.value.state, $0.value.protocolType ?? "") }
    }

    /// When a group became empty: nil while it has members (offsets retention).
    func emptySince(group groupId: String) -> Int64? {
        guard let group = groups[groupId] else { return 0 }
        return group.state == .empty ? emptySince[groupId] ?? 0 : nil
    }

    /// Applies every deadline that has passed.
    func tick() {
        let now = clock()
        for (groupId, group) in groups {
            guard let deadline = group.nextDeadline, deadline <= now else { continue }
            update(groupId) { group, now in group.expire(now: now) }
        }
    }

    /// Answers every parked request (shutdown).
    func shutdown() {
        for (_, continuation) in joins { continuation.resume(returning: .failure(.coordinatorNotAvailable, memberId: "")) }
        for (_, continuation) in syncs { continuation.resume(returning: .failure(.coordinatorNotAvailable)) }
        joins = [:]
        syncs = [:]
    }

    private func newToken() -> GroupRequestToken {
        nextToken &+= 1
        return GroupRequestToken(nextToken)
    }

    /// Runs an event on a group (created when new) and performs its actions.
    private func update(_ groupId: String, _ event: (inout ConsumerGroupStateMachine, Int64) -> [GroupAction]) {
        let now = clock()
        var group = groups[groupId] ?? ConsumerGroupStateMachine(groupId: groupId, configuration: configuration)
        let wasEmpty = group.state == .empty
        let actions = event(&group, now)
        groups[groupId] = group
        if group.state == .empty && (!wasEmpty || emptySince[groupId] == nil) {
            emptySince[groupId] = Date.nowMilliseconds
        }
        perform(actions)
    }

    private func perform(_ actions: [GroupAction]) {
        for action in actions {
            switch action {
            case .respondJoin(let token, let result):
                joins.removeValue(forKey: token)?.resume(returning: result)
            case .respondSync(let token, let result):
                syncs.removeValue(forKey: token)?.resume(returning: result)
            }
        }
    }

    /// A request whose task was cancelled (connection closed, shutdown): answer it now.
    private func abandon(_ token: GroupRequestToken) {
        joins.removeValue(forKey: token)?.resume(returning: .failure(.coordinatorNotAvailable, memberId: ""))
        syncs.removeValue(forKey: token)?.resume(returning: .failure(.coordinatorNotAvailable))
    }
}
