import KafkaProtocol
import KafkaSecurity

/// SyncGroup, versions 0-5: the leader hands in the assignment, every member
/// gets its own share once it is there.
struct SyncGroupHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.syncGroup
    static let versions: ClosedRange<Int16> = 0...5

    func handle(_ request: SyncGroupRequest, context: RequestContext) async throws -> SyncGroupResponse? {
        guard context.isAuthorized(.read, .group, request.groupId) else { return SyncGroupResponse(.failure(.groupAuthorizationFailed)) }
        let result = await context.broker.groups.sync(group: request.groupId, GroupSyncRequest(request))
        return SyncGroupResponse(result)
    }
}
