import NIOCore

/// One assignor a member supports, with its subscription metadata.
struct GroupProtocol: Sendable, Equatable {
    var name: String
    var metadata: ByteBuffer
}

/// A JoinGroup request as the group state machine needs it.
struct GroupJoinRequest: Sendable, Equatable {
    /// Empty for a member joining for the first time.
    var memberId: String
    var groupInstanceId: String?
    var clientId: String
    /// The client's address, reported by DescribeGroups.
    var clientHost: String = ""
    var sessionTimeoutMs: Int32
    var rebalanceTimeoutMs: Int32
    var protocolType: String
    /// The member's assignors in preference order.
    var protocols: [GroupProtocol]
    /// True from JoinGroup v4: a new dynamic member first gets MEMBER_ID_REQUIRED.
    var requireKnownMemberId: Bool
}

/// A SyncGroup request as the group state machine needs it.
struct GroupSyncRequest: Sendable, Equatable {
    var memberId: String
    var groupInstanceId: String?
    var generationId: Int32
    /// Checked when present (SyncGroup v5+).
    var protocolType: String?
    /// Checked when present (SyncGroup v5+).
    var protocolName: String?
    /// The leader's assignment per member id; empty for followers.
    var assignments: [String: ByteBuffer]
}

/// A Heartbeat request as the group state machine needs it.
struct GroupHeartbeatRequest: Sendable, Equatable {
    var memberId: String
    var groupInstanceId: String?
    var generationId: Int32
}

/// One member named in a LeaveGroup request. `memberId` may be empty when an
/// administrator removes a static member by `groupInstanceId` alone.
struct GroupLeavingMember: Sendable, Equatable {
    var memberId: String
    var groupInstanceId: String?
}
