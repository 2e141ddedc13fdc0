import KafkaProtocol
import KafkaSecurity

/// DeleteGroups, versions 0-2: an empty group and its committed offsets go;
/// a group with members gets NON_EMPTY_GROUP.
struct DeleteGroupsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.deleteGroups
    static let versions: ClosedRange<Int16> = 0...2

    func handle(_ request: DeleteGroupsRequest, context: RequestContext) async throws -> DeleteGroupsResponse? {
        var response = DeleteGroupsResponse()
        let store = context.broker.offsets
        for groupId in request.groupsNames {
            var result = DeleteGroupsResponse.DeletableGroupResult()
            result.groupId = groupId
            guard context.isAuthorized(.delete, .group, groupId) else {
                result.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
                response.results.append(result)
                continue
            }
            // Whether the coordinator knew the group must be asked before it is deleted.
            let known = await context.broker.groups.describe(group: groupId) != nil
            var error = await context.broker.groups.delete(group: groupId)
            if error == .none {
                do {
                    let hadOffsets = try await context.io.run { try store.deleteGroup(groupId) }
                    if !hadOffsets && !known { error = .groupIdNotFound }
                } catch let storeError as OffsetStoreError {
                    error = .forCode(storeError.kafkaErrorCode)
                }
            }
            result.errorCode = error.code
            response.results.append(result)
        }
        return response
    }
}
