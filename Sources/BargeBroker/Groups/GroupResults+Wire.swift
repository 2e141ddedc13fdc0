import KafkaProtocol

/// Conversions from the state machine's answers to encodable wire responses.
extension JoinGroupResponse {
    /// Before v7 the protocol name is not nullable, so a missing one is sent empty.
    init(_ result: GroupJoinResult, version: Int16) {
        self.init()
        errorCode = result.error.code
        generationId = result.generationId
        protocolType = result.protocolType
        protocolName = version >= 7 ? result.protocolName : (result.protocolName ?? "")
        leader = result.leaderId
        memberId = result.memberId
        members = result.members.map {
            var member = JoinGroupResponseMember()
            member.memberId = $0.memberId
            member.groupInstanceId = $0.groupInstanceId
            member.metadata = $0.metadata
            return member
        }
    }
}

extension SyncGroupResponse {
    init(_ result: GroupSyncResult) {
        self.init()
        errorCode = result.error.code
        protocolType = result.protocolType
        protocolName = result.protocolName
        assignment = result.assignment
    }
}

extension HeartbeatResponse {
    init(_ error: KafkaErrorCode) {
        self.init()
        errorCode = error.code
    }
}

extension LeaveGroupResponse {
    /// Before v3 there is no per-member list: the one member's error is the
    /// top-level error.
    init(_ result: GroupLeaveResult, version: Int16) {
        self.init()
        guard version >= 3 else {
            errorCode = (result.error == .none ? result.members.first?.error : result.error)?.code ?? 0
            return
        }
        errorCode = result.error.code
        members = result.members.map {
            var member = MemberResponse()
            member.memberId = $0.memberId
            member.groupInstanceId = $0.groupInstanceId
            member.errorCode = $0.error.code
            return member
        }
    }
}
