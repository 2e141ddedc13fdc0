import KafkaProtocol
import NIOCore

/// SyncGroup (Kafka's `handleSyncGroup`).
extension ConsumerGroupStateMachine {
    /// Handles a SyncGroup. While the group completes a rebalance, followers
    /// wait for the leader; the leader's assignment answers everyone waiting
    /// and makes the group stable. Members missing from the leader's
    /// assignment get an empty one; unknown member ids in it are ignored.
    mutating func sync(_ request: GroupSyncRequest, token: GroupRequestToken, now: Int64) -> [GroupAction] {
        if let error = syncError(request) {
            return [.respondSync(token, .failure(error))]
        }
        var actions: [GroupAction] = []
        let index = index(of: request.memberId)!
        markSynced(request.memberId)
        switch state {
        case .completingRebalance:
            if let superseded = members[index].syncToken {
                actions.append(.respondSync(superseded, .failure(.rebalanceInProgress)))
            }
            members[index].syncToken = token
            if request.memberId == leaderId {
                distribute(request.assignments, now: now, into: &actions)
            }
        case .stable:
            members[index].refreshSession(now: now)
            actions.append(.respondSync(token, currentAssignment(of: index)))
        case .preparingRebalance, .empty, .dead:
            // `syncError` answered these.
            break
        }
        return actions
    }

    private func syncError(_ request: GroupSyncRequest) -> KafkaErrorCode? {
        if state == .dead { return .coordinatorNotAvailable }
        if let error = validateCurrentMember(request.memberId, groupInstanceId: request.groupInstanceId) {
            return error
        }
        if request.generationId != generationId { return .illegalGeneration }
        if let type = request.protocolType, type != protocolType { return .inconsistentGroupProtocol }
        if let name = request.protocolName, name != protocolName { return .inconsistentGroupProtocol }
        switch state {
        case .empty, .dead: return .unknownMemberId
        case .preparingRebalance: return .rebalanceInProgress
        case .completingRebalance, .stable: return nil
        }
    }

    private func currentAssignment(of index: Int) -> GroupSyncResult {
        GroupSyncResult(
            error: .none, protocolType: protocolType, protocolName: protocolName,
            assignment: members[index].assignment)
    }

    /// Stores the leader's assignment, answers every waiting SyncGroup and
    /// makes the group stable.
    private mutating func distribute(
        _ assignments: [String: ByteBuffer], now: Int64, into actions: inout [GroupAction]
    ) {
        state = .stable
        for index in members.indices {
            members[index].assignment = assignments[members[index].memberId] ?? ByteBuffer()
            if let token = members[index].syncToken {
                actions.append(.respondSync(token, currentAssignment(of: index)))
                members[index].syncToken = nil
                members[index].refreshSession(now: now)
            }
        }
    }
}
