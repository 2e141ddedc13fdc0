import KafkaProtocol
import NIOCore

/// Conversions from decoded wire requests to the state machine's inputs.
extension GroupJoinRequest {
    /// `version` decides MEMBER_ID_REQUIRED (v4+); v0 has no rebalance
    /// timeout, so the session timeout stands in for it, as in Kafka.
    init(_ request: JoinGroupRequest, version: Int16, clientId: String, clientHost: String = "") {
        self.init(
            memberId: request.memberId,
            groupInstanceId: request.groupInstanceId,
            clientId: clientId,
            clientHost: clientHost,
            sessionTimeoutMs: request.sessionTimeoutMs,
            rebalanceTimeoutMs: version == 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
            protocolType: request.protocolType,
            protocols: request.protocols.map { GroupProtocol(name: $0.name, metadata: $0.metadata) },
            requireKnownMemberId: version >= 4)
    }
}

extension GroupSyncRequest {
    /// A member listed twice in the leader's assignments gets the last entry.
    init(_ request: SyncGroupRequest) {
        self.init(
            memberId: request.memberId,
            groupInstanceId: request.groupInstanceId,
            generationId: request.generationId,
            protocolType: request.protocolType,
            protocolName: request.protocolName,
            assignments: Dictionary(
                request.assignments.map { ($0.memberId, $0.assignment) }, uniquingKeysWith: { $1 }))
    }
}

extension GroupHeartbeatRequest {
    init(_ request: HeartbeatRequest) {
        self.init(memberId: request.memberId, groupInstanceId: request.groupInstanceId, generationId: request.generationId)
    }
}

extension GroupLeavingMember {
    /// The members a LeaveGroup names: one member id before v3, a batch from v3.
    static func members(of request: LeaveGroupRequest, version: Int16) -> [GroupLeavingMember] {
        guard version >= 3 else { return [GroupLeavingMember(memberId: request.memberId, groupInstanceId: nil)] }
        return request.members.map { GroupLeavingMember(memberId: $0.memberId, groupInstanceId: $0.groupInstanceId) }
    }
}
