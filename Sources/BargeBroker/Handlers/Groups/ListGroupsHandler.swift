import KafkaProtocol
import KafkaSecurity

/// ListGroups, versions 0-4: every group the coordinator knows, with its
/// protocol type and (v4) state, filtered by the requested states.
struct ListGroupsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.listGroups
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: ListGroupsRequest, context: RequestContext) async throws -> ListGroupsResponse? {
        var response = ListGroupsResponse()
        let states = Set(request.statesFilter.map { $0.lowercased() })
        let all = context.isAuthorizedOnCluster(.describe)
        response.groups = await context.broker.groups.list().filter { group in
            (states.isEmpty || states.contains(group.state.kafkaName.lowercased()))
                && (all || context.isAuthorized(.describe, .group, group.groupId))
        }.map { group in
            var listed = ListGroupsResponse.ListedGroup()
            listed.groupId = group.groupId
            listed.protocolType = group.protocolType
            if context.header.apiVersion >= 4 { listed.groupState = group.state.kafkaName }
            return listed
        }
        return response
    }
}
