import KafkaProtocol
import KafkaSecurity

/// DescribeGroups, versions 0-5: state, protocol and members (with their
/// subscription metadata and assignment) of each group; an unknown group is
/// described as Dead, as Kafka does.
struct DescribeGroupsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeGroups
    static let versions: ClosedRange<Int16> = 0...5

    func handle(_ request: DescribeGroupsRequest, context: RequestContext) async throws -> DescribeGroupsResponse? {
        var response = DescribeGroupsResponse()
        for groupId in request.groups {
            var described = DescribeGroupsResponse.DescribedGroup()
            described.groupId = groupId
            guard context.isAuthorized(.describe, .group, groupId) else {
                described.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
                response.groups.append(described)
                continue
            }
            guard let group = await context.broker.groups.describe(group: groupId) else {
                described.groupState = GroupState.dead.kafkaName
                response.groups.append(described)
                continue
            }
            described.groupState = group.state.kafkaName
            described.protocolType = group.protocolType ?? ""
            described.protocolData = group.state == .stable ? group.protocolName ?? "" : ""
            described.members = group.members.map { member in
                var entry = DescribeGroupsResponse.DescribedGroupMember()
                entry.memberId = member.memberId
                if context.header.apiVersion >= 4 { entry.groupInstanceId = member.groupInstanceId }
                entry.clientId = member.clientId
                entry.clientHost = member.clientHost
                if let protocolName = group.protocolName, group.state == .stable {
                    entry.memberMetadata = member.metadata(for: protocolName)
                    entry.memberAssignment = member.assignment
                }
                return entry
            }
            response.groups.append(described)
        }
        return response
    }
}
