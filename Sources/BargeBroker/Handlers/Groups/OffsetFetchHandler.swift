import KafkaProtocol
import KafkaSecurity

/// OffsetFetch, versions 0-7: a group's committed offsets for the named
/// partitions, or all of them (null topics, v2+). A partition without a
/// committed offset gets offset -1 and empty metadata, as Kafka answers.
/// With require_stable (v7), a partition with offsets sent to a transaction
/// not yet ended gets UNSTABLE_OFFSET_COMMIT, which the client retries.
struct OffsetFetchHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.offsetFetch
    static let versions: ClosedRange<Int16> = 0...7

    func handle(_ request: OffsetFetchRequest, context: RequestContext) async throws -> OffsetFetchResponse? {
        var response = OffsetFetchResponse()
        let store = context.broker.offsets
        let group = request.groupId
        let groupDenied = !context.isAuthorized(.describe, .group, group)
        if groupDenied && context.header.apiVersion >= 2 {
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
            return response
        }
        let wanted = request.topics.map { topics in
            topics.flatMap { topic in topic.partitionIndexes.map { CommittedOffsetStore.TopicPartition(topic.name, $0) } }
        }
        let committed = groupDenied ? [:] : try await context.io.run { store.fetch(group: group, partitions: wanted) }
        // All partitions: only those of topics the client may describe.
        let partitions = wanted ?? committed.keys.sorted().filter { context.isAuthorized(.describe, .topic, $0.topic) }
        let unstable = request.requireStable ? await context.broker.transactions.pendingOffsetPartitions(group: group) : []
        var byTopic: [(name: String, partitions: [OffsetFetchResponse.OffsetFetchResponsePartition])] = []
        for key in partitions {
            var entry = OffsetFetchResponse.OffsetFetchResponsePartition()
            entry.partitionIndex = key.partition
            if unstable.contains(key) { entry.errorCode = KafkaErrorCode.unstableOffsetCommit.code }
            if groupDenied {
                entry.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
            } else if !context.isAuthorized(.describe, .topic, key.topic) {
                entry.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
            }
            if let offset = committed[key], entry.errorCode == 0 || entry.errorCode == KafkaErrorCode.unstableOffsetCommit.code {
                entry.committedOffset = offset.offset
                entry.committedLeaderEpoch = offset.leaderEpoch
                entry.metadata = offset.metadata
            } else {
                entry.committedOffset = -1
                entry.committedLeaderEpoch = -1
                entry.metadata = ""
            }
            if let last = byTopic.indices.last, byTopic[last].name == key.topic {
                byTopic[last].partitions.append(entry)
            } else {
                byTopic.append((key.topic, [entry]))
            }
        }
        response.topics = byTopic.map { topic in
            var result = OffsetFetchResponse.OffsetFetchResponseTopic()
            result.name = topic.name
            result.partitions = topic.partitions
            return result
        }
        return response
    }
}
