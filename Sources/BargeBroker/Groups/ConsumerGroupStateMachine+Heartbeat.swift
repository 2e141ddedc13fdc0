import KafkaProtocol

/// Heartbeat (Kafka's `handleHeartbeat`).
extension ConsumerGroupStateMachine {
    /// Handles a Heartbeat, answered at once: a valid member's session
    /// deadline moves to `now + sessionTimeoutMs`, and the answer tells it
    /// whether to rejoin (REBALANCE_IN_PROGRESS).
    mutating func heartbeat(_ request: GroupHeartbeatRequest, now: Int64) -> KafkaErrorCode {
        if state == .dead { return .coordinatorNotAvailable }
        if let error = validateCurrentMember(request.memberId, groupInstanceId: request.groupInstanceId) {
            return error
        }
        if request.generationId != generationId { return .illegalGeneration }
        guard let index = index(of: request.memberId) else { return .unknownMemberId }
        members[index].refreshSession(now: now)
        return state == .preparingRebalance ? .rebalanceInProgress : .none
    }
}
