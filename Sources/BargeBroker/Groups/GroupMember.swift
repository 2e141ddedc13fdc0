import NIOCore

/// One member of a classic group (Kafka's `MemberMetadata`), with the
/// requests it has outstanding and its session deadline.
struct GroupMember: Sendable, Equatable {
    var memberId: String
    let groupInstanceId: String?
    let clientId: String
    let clientHost: String
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    /// Assignors in the member's preference order.
    var protocols: [GroupProtocol]
    /// The member's share of the current generation's assignment.
    var assignment = ByteBuffer()
    /// The JoinGroup this member is waiting on, if any.
    var joinToken: GroupRequestToken?
    /// The SyncGroup this member is waiting on, if any.
    var syncToken: GroupRequestToken?
    /// True until the member's first join completes; a new member is dropped
    /// after `newMemberJoinTimeoutMs` even while its JoinGroup waits.
    var isNew = true
    /// When the member is expelled unless it heartbeats (milliseconds).
    var sessionDeadline: Int64

    var isStatic: Bool { groupInstanceId != nil }

    /// The deadline that currently applies: members waiting on a JoinGroup or
    /// SyncGroup cannot heartbeat, so only new members expire while waiting.
    var expiryDeadline: Int64? {
        if isNew || (joinToken == nil && syncToken == nil) { return sessionDeadline }
        return nil
    }

    func supports(_ protocolName: String) -> Bool {
        protocols.contains { $0.name == protocolName }
    }

    func metadata(for protocolName: String) -> ByteBuffer {
        protocols.first { $0.name == protocolName }?.metadata ?? ByteBuffer()
    }

    /// The first of this member's assignors that is in `candidates`.
    func vote(among candidates: [String]) -> String? {
        protocols.first { candidates.contains($0.name) }?.name
    }

    mutating func refreshSession(now: Int64) {
        sessionDeadline = now + Int64(sessionTimeoutMs)
    }
}
