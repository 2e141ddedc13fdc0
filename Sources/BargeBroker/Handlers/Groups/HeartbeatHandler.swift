import KafkaProtocol
import KafkaSecurity

/// Heartbeat, versions 0-4: keeps a member's session alive and tells it when to rejoin.
struct HeartbeatHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.heartbeat
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: HeartbeatRequest, context: RequestContext) async throws -> HeartbeatResponse? {
        guard context.isAuthorized(.read, .group, request.groupId) else { return HeartbeatResponse(.groupAuthorizationFailed) }
        return HeartbeatResponse(await context.broker.groups.heartbeat(group: request.groupId, GroupHeartbeatRequest(request)))
    }
}
