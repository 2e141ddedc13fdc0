import KafkaProtocol

/// SyncGroup, versions 0-5: the leader hands in the assignment, every member
/// gets its own share once it is there.
struct SyncGroupHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.syncGroup
    static let versions: ClosedRange<Int16> = 0...5

    func handle(_ request: SyncGroupRequest, context: RequestContext) async throws -> SyncGroupResponse? {
        let result = await context.broker.groups.sync(group: request.groupId, GroupSyncRequest(request))
        return SyncGroupResponse(result)
    }
}
