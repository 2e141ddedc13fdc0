import KafkaProtocol
import KafkaSecurity

/// JoinGroup, versions 0-7: parks the request until the group's join phase
/// answers it (all members rejoined, or the rebalance timeout passed).
struct JoinGroupHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.joinGroup
    static let versions: ClosedRange<Int16> = 0...7

    func handle(_ request: JoinGroupRequest, context: RequestContext) async throws -> JoinGroupResponse? {
        let version = context.header.apiVersion
        guard !request.groupId.isEmpty else {
            return JoinGroupResponse(.failure(.invalidGroupId, memberId: request.memberId), version: version)
        }
        guard context.isAuthorized(.read, .group, request.groupId) else {
            return JoinGroupResponse(.failure(.groupAuthorizationFailed, memberId: request.memberId), version: version)
        }
        let join = GroupJoinRequest(request, version: version, clientId: context.header.clientId ?? "", clientHost: context.clientHost)
        let result = await context.broker.groups.join(group: request.groupId, join)
        return JoinGroupResponse(result, version: version)
    }
}
