/// Timers: session expiry, pending member expiry, the end of a join phase
/// and the sync deadline, all driven by one call.
extension ConsumerGroupStateMachine {
    /// Applies every deadline at or before `now` (see ``nextDeadline``):
    /// pending member ids lapse; members whose session passed are removed
    /// (starting a rebalance, or emptying the group); members that did not
    /// sync in time are removed and the group rebalances; a join phase whose
    /// deadline passed completes without the members that did not rejoin.
    mutating func expire(now: Int64) -> [GroupAction] {
        guard state != .dead else { return [] }
        var actions: [GroupAction] = []
        let lapsedPending = pendingMembers.filter { $0.value <= now }.keys
        if !lapsedPending.isEmpty {
            for memberId in lapsedPending { pendingMembers[memberId] = nil }
            maybeCompleteJoin(now: now, into: &actions)
        }
        for memberId in members.map(\.memberId) {
            // Re-checked one by one: a removal may complete a join phase, which refreshes sessions.
            if let member = member(memberId), let deadline = member.expiryDeadline, deadline <= now {
                removeMemberAndUpdateGroup(memberId, now: now, into: &actions)
            }
        }
        if let syncDeadline, syncDeadline <= now {
            for memberId in members.map(\.memberId) where pendingSyncMemberIds.contains(memberId) {
                removeMember(at: index(of: memberId)!, into: &actions)
            }
            prepareRebalance(now: now, into: &actions)
        }
        if state == .preparingRebalance, let joinDeadline, joinDeadline <= now {
            joinDeadlinePassed(now: now, into: &actions)
        }
        return actions
    }
}
