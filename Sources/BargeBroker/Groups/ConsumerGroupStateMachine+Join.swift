import KafkaProtocol

/// JoinGroup (Kafka's `handleJoinGroup` and its helpers).
extension ConsumerGroupStateMachine {
    /// Handles a JoinGroup. The answer to `token` is among the returned
    /// actions or comes with a later event (when the join phase completes).
    mutating func join(_ request: GroupJoinRequest, token: GroupRequestToken, now: Int64) -> [GroupAction] {
        var actions: [GroupAction] = []
        func fail(_ error: KafkaErrorCode, memberId: String) {
            actions.append(.respondJoin(token, .failure(error, memberId: memberId)))
        }
        let names = request.protocols.map(\.name)
        if state == .dead {
            fail(.coordinatorNotAvailable, memberId: request.memberId)
        } else if request.sessionTimeoutMs < configuration.minSessionTimeoutMs
            || request.sessionTimeoutMs > configuration.maxSessionTimeoutMs
        {
            fail(.invalidSessionTimeout, memberId: request.memberId)
        } else if !supportsProtocols(type: request.protocolType, names: names) {
            fail(.inconsistentGroupProtocol, memberId: request.memberId)
        } else if request.memberId.isEmpty {
            joinAsNewMember(request, token: token, now: now, into: &actions)
        } else if pendingMembers[request.memberId] != nil {
            // Pending member ids are only handed to dynamic members.
            if request.groupInstanceId != nil {
                fail(.invalidRequest, memberId: request.memberId)
            } else {
                pendingMembers[request.memberId] = nil
                addMember(request.memberId, request, token: token, now: now, into: &actions)
            }
        } else if let error = validateCurrentMember(request.memberId, groupInstanceId: request.groupInstanceId) {
            fail(error, memberId: request.memberId)
        } else {
            rejoin(request, token: token, now: now, into: &actions)
        }
        maybeCompleteJoin(now: now, into: &actions)
        return actions
    }

    private mutating func joinAsNewMember(
        _ request: GroupJoinRequest, token: GroupRequestToken, now: Int64, into actions: inout [GroupAction]
    ) {
        let newMemberId = "\(request.groupInstanceId ?? request.clientId)-\(makeMemberIdSuffix())"
        if let instanceId = request.groupInstanceId, let oldMemberId = staticMemberId(for: instanceId) {
            replaceStaticMember(oldMemberId, with: newMemberId, request, token: token, now: now, into: &actions)
        } else if request.groupInstanceId == nil && request.requireKnownMemberId {
            pendingMembers[newMemberId] = now + Int64(request.sessionTimeoutMs)
            actions.append(.respondJoin(token, .failure(.memberIdRequired, memberId: newMemberId)))
        } else {
            addMember(newMemberId, request, token: token, now: now, into: &actions)
        }
    }

    /// Kafka's `addMemberAndRebalance`.
    private mutating func addMember(
        _ memberId: String, _ request: GroupJoinRequest, token: GroupRequestToken, now: Int64,
        into actions: inout [GroupAction]
    ) {
        if state == .preparingRebalance && generationId == 0 { initialDelay?.newMemberAdded = true }
        if members.isEmpty { protocolType = request.protocolType }
        if leaderId == nil { leaderId = memberId }
        members.append(
            GroupMember(
                memberId: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId,
                clientHost: request.clientHost,
                sessionTimeoutMs: request.sessionTimeoutMs, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
                protocols: request.protocols, joinToken: token,
                sessionDeadline: now + configuration.newMemberJoinTimeoutMs))
        maybePrepareRebalance(now: now, into: &actions)
    }

    /// Kafka's `doCurrentMemberJoinGroup` for a validated member.
    private mutating func rejoin(
        _ request: GroupJoinRequest, token: GroupRequestToken, now: Int64, into actions: inout [GroupAction]
    ) {
        let index = index(of: request.memberId)!
        let memberId = request.memberId
        let sameProtocols = members[index].protocols == request.protocols
        switch state {
        case .completingRebalance where sameProtocols:
            // The member probably missed its join answer: send it again.
            actions.append(
                .respondJoin(token, currentGeneration(for: memberId, withMembers: memberId == leaderId, leaderId: leaderId)))
        case .stable where sameProtocols && memberId != leaderId:
            actions.append(.respondJoin(token, currentGeneration(for: memberId, withMembers: false, leaderId: leaderId)))
        case .preparingRebalance, .completingRebalance, .stable:
            // A changed subscription, or the leader asking for a new assignment.
            update(index, from: request, token: token, into: &actions)
            maybePrepareRebalance(now: now, into: &actions)
        case .empty, .dead:
            actions.append(.respondJoin(token, .failure(.unknownMemberId, memberId: memberId)))
        }
    }

    /// Kafka's `updateStaticMemberAndRebalance`: the new member id takes over
    /// the old one's place and assignment; the old id is fenced. A stable
    /// group does not rebalance unless the selected protocol would change.
    private mutating func replaceStaticMember(
        _ oldMemberId: String, with newMemberId: String, _ request: GroupJoinRequest, token: GroupRequestToken,
        now: Int64, into actions: inout [GroupAction]
    ) {
        let index = index(of: oldMemberId)!
        let previousLeader = leaderId
        answerOutstanding(of: index, with: .fencedInstanceId, joinMemberId: oldMemberId, into: &actions)
        members[index].memberId = newMemberId
        if leaderId == oldMemberId { leaderId = newMemberId }
        if pendingSyncMemberIds.remove(oldMemberId) != nil { pendingSyncMemberIds.insert(newMemberId) }
        members[index].refreshSession(now: now)
        update(index, from: request, token: token, into: &actions)
        switch state {
        case .stable where selectProtocol() == protocolName:
            // The old leader id is reported so that a restarted leader does
            // not compute an assignment a stable group would never distribute.
            members[index].joinToken = nil
            actions.append(
                .respondJoin(token, currentGeneration(for: newMemberId, withMembers: false, leaderId: previousLeader)))
        case .stable, .completingRebalance:
            prepareRebalance(now: now, into: &actions)
        case .preparingRebalance, .empty, .dead:
            break
        }
    }

    /// Records a member's new JoinGroup; a JoinGroup it was already waiting
    /// on is superseded and answered with REBALANCE_IN_PROGRESS.
    private mutating func update(
        _ index: Int, from request: GroupJoinRequest, token: GroupRequestToken, into actions: inout [GroupAction]
    ) {
        if let superseded = members[index].joinToken {
            actions.append(.respondJoin(superseded, .failure(.rebalanceInProgress, memberId: members[index].memberId)))
        }
        members[index].protocols = request.protocols
        members[index].sessionTimeoutMs = request.sessionTimeoutMs
        members[index].rebalanceTimeoutMs = request.rebalanceTimeoutMs
        members[index].joinToken = token
    }
}
