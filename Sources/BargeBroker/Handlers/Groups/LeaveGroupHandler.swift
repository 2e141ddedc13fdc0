import KafkaProtocol
import KafkaSecurity

/// LeaveGroup, versions 0-4: one member (v0-2) or a batch (v3+) leaves; the rest rebalance.
struct LeaveGroupHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.leaveGroup
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: LeaveGroupRequest, context: RequestContext) async throws -> LeaveGroupResponse? {
        let version = context.header.apiVersion
        let members = GroupLeavingMember.members(of: request, version: version)
        guard context.isAuthorized(.read, .group, request.groupId) else {
            return LeaveGroupResponse(GroupLeaveResult(error: .groupAuthorizationFailed, members: []), version: version)
        }
        return LeaveGroupResponse(await context.broker.groups.leave(group: request.groupId, members), version: version)
    }
}
