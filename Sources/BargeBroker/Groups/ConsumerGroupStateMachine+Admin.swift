import KafkaProtocol

/// Membership checks for the group's other APIs: DeleteGroups and OffsetCommit.
extension ConsumerGroupStateMachine {
    /// DeleteGroups: only an empty group can be deleted; it becomes dead.
    mutating func delete() -> KafkaErrorCode {
        switch state {
        case .empty:
            state = .dead
            pendingMembers = [:]
            return .none
        case .dead:
            return .groupIdNotFound
        case .preparingRebalance, .completingRebalance, .stable:
            return .nonEmptyGroup
        }
    }

    /// Kafka's `validateOffsetCommit` (non-transactional): whether an
    /// OffsetCommit from this member may be stored. Commits that name no
    /// member and no generation are accepted only while the group is empty
    /// (clients using `assign` without group management). A valid commit
    /// counts as a heartbeat.
    mutating func validateOffsetCommit(
        memberId: String, groupInstanceId: String?, generationId: Int32, now: Int64
    ) -> KafkaErrorCode {
        if state == .dead { return .coordinatorNotAvailable }
        guard generationId >= 0 || !memberId.isEmpty || groupInstanceId != nil else {
            return state == .empty ? .none : .unknownMemberId
        }
        if let error = validateCurrentMember(memberId, groupInstanceId: groupInstanceId) { return error }
        if generationId != self.generationId { return .illegalGeneration }
        if state == .completingRebalance { return .rebalanceInProgress }
        if let index = index(of: memberId) { members[index].refreshSession(now: now) }
        return .none
    }
}
