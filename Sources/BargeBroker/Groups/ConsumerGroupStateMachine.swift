import KafkaProtocol

import struct Foundation.UUID

/// The membership of one classic consumer group, following Kafka's
/// `GroupCoordinator`: a value type fed with requests and timer ticks, each
/// with an explicit `now` in milliseconds of a monotonic clock. It performs
/// no I/O; JoinGroup and SyncGroup answers come back as ``GroupAction``s
/// (possibly during a later call), Heartbeat, LeaveGroup and offset-commit
/// checks are answered directly. Nothing here is persisted.
///
/// The I/O layer keeps one timer per group at ``nextDeadline`` and calls
/// ``expire(now:)`` when it fires.
struct ConsumerGroupStateMachine: Sendable {
    /// State of the delayed first rebalance of an empty group
    /// (`group.initial.rebalance.delay.ms`).
    struct InitialDelay: Sendable, Equatable {
        /// How much longer the join phase may still be extended.
        var remainingMs: Int64
        /// Whether a member arrived since the delay was last (re)started.
        var newMemberAdded: Bool
    }

    let groupId: String
    let configuration: GroupConfiguration
    // The properties below change only through the event methods (in the
    // `+Join`, `+Sync`, ... files, hence not `private(set)`).
    var state: GroupState = .empty
    /// Incremented each time a join phase completes (also when it leaves the group empty).
    var generationId: Int32 = 0
    /// Set by the first member of an empty group; all members must match it.
    var protocolType: String?
    /// The assignor selected for the current generation.
    var protocolName: String?
    /// The first member to join; replaced when it leaves or fails to rejoin.
    var leaderId: String?
    /// Members in join order.
    var members: [GroupMember] = []
    /// Member ids handed out with MEMBER_ID_REQUIRED, with their expiry.
    var pendingMembers: [String: Int64] = [:]
    /// Members that got this generation's join response but have not synced.
    var pendingSyncMemberIds: Set<String> = []
    /// When the current join phase ends (or the initial delay step expires).
    var joinDeadline: Int64?
    /// When members still in ``pendingSyncMemberIds`` are expelled.
    var syncDeadline: Int64?
    var initialDelay: InitialDelay?
    let makeMemberIdSuffix: @Sendable () -> String

    /// - Parameter makeMemberIdSuffix: the unique part of generated member
    ///   ids (`clientId-suffix`, or `groupInstanceId-suffix` for static
    ///   members). Default: a random UUID, as Kafka does.
    init(
        groupId: String,
        configuration: GroupConfiguration = GroupConfiguration(),
        makeMemberIdSuffix: @escaping @Sendable () -> String = { UUID().uuidString.lowercased() }
    ) {
        self.groupId = groupId
        self.configuration = configuration
        self.makeMemberIdSuffix = makeMemberIdSuffix
    }

    /// The earliest moment at which ``expire(now:)`` has something to do:
    /// a session, pending member, join phase or sync deadline. Nil when idle.
    var nextDeadline: Int64? {
        guard state != .dead else { return nil }
        let memberDeadlines = members.compactMap(\.expiryDeadline) + pendingMembers.values
        return (memberDeadlines + [joinDeadline, syncDeadline].compactMap { $0 }).min()
    }

    /// The longest rebalance timeout among members (Kafka's group rebalance timeout).
    var rebalanceTimeoutMs: Int64 {
        Int64(members.map(\.rebalanceTimeoutMs).max() ?? 0)
    }

    func member(_ memberId: String) -> GroupMember? {
        members.first { $0.memberId == memberId }
    }

    // MARK: - Shared helpers

    func index(of memberId: String) -> Int? {
        members.firstIndex { $0.memberId == memberId }
    }

    func staticMemberId(for groupInstanceId: String) -> String? {
        members.first { $0.groupInstanceId == groupInstanceId }?.memberId
    }

    /// Kafka's `validateCurrentMember`: a static member must be the current
    /// holder of its instance id; any member must be known.
    func validateCurrentMember(_ memberId: String, groupInstanceId: String?) -> KafkaErrorCode? {
        if let groupInstanceId {
            guard let current = staticMemberId(for: groupInstanceId) else { return .unknownMemberId }
            return current == memberId ? nil : .fencedInstanceId
        }
        return index(of: memberId) == nil ? .unknownMemberId : nil
    }

    /// Whether a member with these assignors may join: the first member sets
    /// the protocol type; later ones must match it and share an assignor
    /// with every current member.
    func supportsProtocols(type: String, names: [String]) -> Bool {
        if members.isEmpty { return !type.isEmpty && !names.isEmpty }
        return type == protocolType && names.contains { name in members.allSatisfy { $0.supports(name) } }
    }

    /// Kafka's `selectProtocol`: among assignors every member supports, each
    /// member votes for its most preferred; the most votes wins, ties going
    /// to the earlier one in the first member's preference order.
    func selectProtocol() -> String? {
        guard let first = members.first else { return nil }
        let candidates = first.protocols.map(\.name).filter { name in members.allSatisfy { $0.supports(name) } }
        var votes: [String: Int] = [:]
        for member in members {
            if let vote = member.vote(among: candidates) { votes[vote, default: 0] += 1 }
        }
        var best: String?
        for candidate in candidates where votes[candidate, default: 0] > votes[best ?? "", default: 0] {
            best = candidate
        }
        return best
    }

    /// The current generation as a join answer. `withMembers` is for the
    /// leader: every member's metadata for the selected protocol.
    func currentGeneration(for memberId: String, withMembers: Bool, leaderId: String?) -> GroupJoinResult {
        let protocolName = protocolName ?? ""
        return GroupJoinResult(
            error: .none,
            memberId: memberId,
            generationId: generationId,
            protocolType: protocolType,
            protocolName: protocolName,
            leaderId: leaderId ?? "",
            members: !withMembers ? [] : members.map {
                GroupJoinResult.Member(
                    memberId: $0.memberId, groupInstanceId: $0.groupInstanceId,
                    metadata: $0.metadata(for: protocolName))
            }
        )
    }

    /// Answers the member's waiting JoinGroup and SyncGroup with `error`.
    mutating func answerOutstanding(
        of index: Int, with error: KafkaErrorCode, joinMemberId: String, into actions: inout [GroupAction]
    ) {
        if let token = members[index].joinToken {
            actions.append(.respondJoin(token, .failure(error, memberId: joinMemberId)))
            members[index].joinToken = nil
        }
        if let token = members[index].syncToken {
            actions.append(.respondSync(token, .failure(error)))
            members[index].syncToken = nil
        }
    }

    mutating func markSynced(_ memberId: String) {
        pendingSyncMemberIds.remove(memberId)
        if pendingSyncMemberIds.isEmpty { syncDeadline = nil }
    }

    /// Removes a member without changing state; its waiting requests get UNKNOWN_MEMBER_ID.
    mutating func removeMember(at index: Int, into actions: inout [GroupAction]) {
        answerOutstanding(of: index, with: .unknownMemberId, joinMemberId: "", into: &actions)
        let removed = members.remove(at: index)
        markSynced(removed.memberId)
        if leaderId == removed.memberId { leaderId = members.first?.memberId }
    }

    /// Kafka's `removeMemberAndUpdateGroup`: removal starts a rebalance, or
    /// may let a rebalance in progress complete.
    mutating func removeMemberAndUpdateGroup(_ memberId: String, now: Int64, into actions: inout [GroupAction]) {
        guard let index = index(of: memberId) else { return }
        removeMember(at: index, into: &actions)
        switch state {
        case .stable, .completingRebalance: prepareRebalance(now: now, into: &actions)
        case .preparingRebalance: maybeCompleteJoin(now: now, into: &actions)
        case .empty, .dead: break
        }
    }
}
