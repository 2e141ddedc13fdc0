import KafkaProtocol
import NIOCore

/// The join phase: starting a rebalance and completing it into a new generation.
extension ConsumerGroupStateMachine {
    /// Kafka's `maybePrepareRebalance`: only from empty, stable or completing.
    mutating func maybePrepareRebalance(now: Int64, into actions: inout [GroupAction]) {
        switch state {
        case .empty, .stable, .completingRebalance: prepareRebalance(now: now, into: &actions)
        case .preparingRebalance, .dead: break
        }
    }

    /// Enters preparingRebalance. Syncs waiting on an abandoned assignment get
    /// REBALANCE_IN_PROGRESS. An empty group waits the initial delay;
    /// otherwise the phase lasts at most the rebalance timeout.
    mutating func prepareRebalance(now: Int64, into actions: inout [GroupAction]) {
        if state == .completingRebalance {
            for index in members.indices {
                members[index].assignment = ByteBuffer()
                if let token = members[index].syncToken {
                    actions.append(.respondSync(token, .failure(.rebalanceInProgress)))
                    members[index].syncToken = nil
                    members[index].refreshSession(now: now)
                }
            }
        }
        pendingSyncMemberIds = []
        syncDeadline = nil
        let delay = configuration.initialRebalanceDelayMs
        if state == .empty && delay > 0 {
            initialDelay = InitialDelay(remainingMs: max(rebalanceTimeoutMs - delay, 0), newMemberAdded: false)
            joinDeadline = now + delay
        } else {
            joinDeadline = now + rebalanceTimeoutMs
        }
        state = .preparingRebalance
        maybeCompleteJoin(now: now, into: &actions)
    }

    /// Completes the join phase early once every member (and every member
    /// id handed out with MEMBER_ID_REQUIRED) has joined, unless the initial
    /// delay is running.
    mutating func maybeCompleteJoin(now: Int64, into actions: inout [GroupAction]) {
        guard state == .preparingRebalance, initialDelay == nil, pendingMembers.isEmpty,
            members.allSatisfy({ $0.joinToken != nil })
        else { return }
        completeJoin(now: now, into: &actions)
    }

    /// The join deadline passed: extend the initial delay if members keep
    /// arriving (never past the rebalance timeout), else complete the phase.
    mutating func joinDeadlinePassed(now: Int64, into actions: inout [GroupAction]) {
        if let delay = initialDelay, delay.newMemberAdded, delay.remainingMs > 0 {
            let step = min(configuration.initialRebalanceDelayMs, delay.remainingMs)
            initialDelay = InitialDelay(remainingMs: delay.remainingMs - step, newMemberAdded: false)
            joinDeadline = now + step
        } else {
            completeJoin(now: now, into: &actions)
        }
    }

    /// Kafka's `onCompleteJoin`: dynamic members that did not rejoin are
    /// removed (static ones keep their place until their session expires),
    /// a joined member becomes leader if the leader did not rejoin, and the
    /// generation advances: to completingRebalance with join answers for
    /// everyone waiting, or to empty when no member is left.
    mutating func completeJoin(now: Int64, into actions: inout [GroupAction]) {
        for memberId in members.filter({ $0.joinToken == nil && !$0.isStatic }).map(\.memberId) {
            removeMember(at: index(of: memberId)!, into: &actions)
        }
        let joined = members.filter { $0.joinToken != nil }
        if joined.isEmpty && !members.isEmpty {
            // Only absent static members remain: wait another rebalance timeout.
            initialDelay = nil
            joinDeadline = now + rebalanceTimeoutMs
            return
        }
        if !joined.contains(where: { $0.memberId == leaderId }) {
            leaderId = joined.first?.memberId
        }
        initialDelay = nil
        joinDeadline = nil
        generationId += 1
        guard !members.isEmpty else {
            protocolName = nil
            state = .empty
            return
        }
        protocolName = selectProtocol()
        state = .completingRebalance
        for index in members.indices {
            let memberId = members[index].memberId
            if let token = members[index].joinToken {
                let result = currentGeneration(for: memberId, withMembers: memberId == leaderId, leaderId: leaderId)
                actions.append(.respondJoin(token, result))
                members[index].joinToken = nil
            }
            members[index].isNew = false
            members[index].refreshSession(now: now)
            pendingSyncMemberIds.insert(memberId)
        }
        syncDeadline = now + rebalanceTimeoutMs
    }
}
