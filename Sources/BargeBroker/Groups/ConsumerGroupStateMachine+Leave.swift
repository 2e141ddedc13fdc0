import KafkaProtocol

/// LeaveGroup (Kafka's `handleLeaveGroup`), for v0-2 (one member id) and
/// v3+ (a batch, where a static member may be named by instance id alone).
extension ConsumerGroupStateMachine {
    /// Removes the named members, answered at once with one error per member.
    /// Removal starts a rebalance (or lets one complete); the actions answer
    /// other members' JoinGroups that this completes.
    mutating func leave(_ leaving: [GroupLeavingMember], now: Int64) -> (result: GroupLeaveResult, actions: [GroupAction]) {
        if state == .dead { return (GroupLeaveResult(error: .coordinatorNotAvailable, members: []), []) }
        var actions: [GroupAction] = []
        let results = leaving.map { member in
            GroupLeaveResult.Member(
                memberId: member.memberId, groupInstanceId: member.groupInstanceId,
                error: remove(member, now: now, into: &actions))
        }
        return (GroupLeaveResult(error: .none, members: results), actions)
    }

    private mutating func remove(
        _ leaving: GroupLeavingMember, now: Int64, into actions: inout [GroupAction]
    ) -> KafkaErrorCode {
        if leaving.memberId.isEmpty {
            guard let instanceId = leaving.groupInstanceId, let memberId = staticMemberId(for: instanceId) else {
                return .unknownMemberId
            }
            removeMemberAndUpdateGroup(memberId, now: now, into: &actions)
        } else if pendingMembers.removeValue(forKey: leaving.memberId) != nil {
            maybeCompleteJoin(now: now, into: &actions)
        } else if let error = validateCurrentMember(leaving.memberId, groupInstanceId: leaving.groupInstanceId) {
            return error
        } else {
            removeMemberAndUpdateGroup(leaving.memberId, now: now, into: &actions)
        }
        return .none
    }
}
