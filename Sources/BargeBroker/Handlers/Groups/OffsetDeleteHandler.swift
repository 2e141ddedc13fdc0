import KafkaProtocol
import KafkaSecurity

/// OffsetDelete, version 0: removes a group's committed offsets for some
/// partitions, unless the group has members subscribed to the topic
/// (GROUP_SUBSCRIBED_TO_TOPIC).
struct OffsetDeleteHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.offsetDelete
    static let versions: ClosedRange<Int16> = 0...0

    func handle(_ request: OffsetDeleteRequest, context: RequestContext) async throws -> OffsetDeleteResponse? {
        var response = OffsetDeleteResponse()
        guard context.isAuthorized(.delete, .group, request.groupId) else {
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
            return response
        }
        let group = await context.broker.groups.describe(group: request.groupId)
        let subscribed = Self.subscribedTopics(group)
        var deletable: [CommittedOffsetStore.TopicPartition] = []
        response.topics = request.topics.map { topic in
            var result = OffsetDeleteResponse.OffsetDeleteResponseTopic()
            result.name = topic.name
            result.partitions = topic.partitions.map { partition in
                var entry = OffsetDeleteResponse.OffsetDeleteResponsePartition()
                entry.partitionIndex = partition.partitionIndex
                if !context.isAuthorized(.read, .topic, topic.name) {
                    entry.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                } else if subscribed.contains(topic.name) {
                    entry.errorCode = KafkaErrorCode.groupSubscribedToTopic.code
                } else {
                    deletable.append(CommittedOffsetStore.TopicPartition(topic.name, partition.partitionIndex))
                }
                return entry
            }
            return result
        }
        let store = context.broker.offsets
        let (groupId, partitions) = (request.groupId, deletable)
        do {
            try await context.io.run { _ = try store.deleteOffsets(group: groupId, partitions: partitions) }
        } catch let error as OffsetStoreError {
            response.errorCode = error.kafkaErrorCode
        }
        return response
    }

    /// The topics the members of a consumer group subscribe to, from their
    /// ConsumerProtocolSubscription metadata.
    private static func subscribedTopics(_ group: ConsumerGroupStateMachine?) -> Set<String> {
        guard let group, group.state != .empty, group.protocolType == "consumer", let protocolName = group.protocolName else { return [] }
        var topics: Set<String> = []
        for member in group.members {
            var metadata = member.metadata(for: protocolName)
            guard let version = metadata.readInteger(as: Int16.self),
                  let subscription = try? ConsumerProtocolSubscription(from: &metadata, version: min(version, ConsumerProtocolSubscription.versions.upperBound))
            else { continue }
            topics.formUnion(subscription.topics)
        }
        return topics
    }
}
