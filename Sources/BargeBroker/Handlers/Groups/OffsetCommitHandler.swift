import Foundation
import KafkaProtocol
import KafkaSecurity

/// OffsetCommit, versions 0-8: checks the member and generation with the
/// group (an empty generation and member id is a standalone commit, allowed
/// while nobody is in the group), then stores the offsets durably (fsync)
/// before answering. Metadata longer than `offset.metadata.max.bytes` gets
/// OFFSET_METADATA_TOO_LARGE for its partition; unknown topics
/// UNKNOWN_TOPIC_OR_PARTITION.
struct OffsetCommitHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.offsetCommit
    static let versions: ClosedRange<Int16> = 0...8

    func handle(_ request: OffsetCommitRequest, context: RequestContext) async throws -> OffsetCommitResponse? {
        var response = OffsetCommitResponse()
        let generation = context.header.apiVersion >= 1 ? request.generationIdOrMemberEpoch : -1
        var groupError = request.groupId.isEmpty ? KafkaErrorCode.invalidGroupId : .none
        if groupError == .none && !context.isAuthorized(.read, .group, request.groupId) {
            groupError = .groupAuthorizationFailed
        }
        if groupError == .none {
            groupError = await context.broker.groups.validateCommit(
                group: request.groupId, memberId: request.memberId, groupInstanceId: request.groupInstanceId, generationId: generation)
        }
        var accepted: [CommittedOffsetStore.TopicPartition: OffsetAndMetadata] = [:]
        var errors: [CommittedOffsetStore.TopicPartition: KafkaErrorCode] = [:]
        for topic in request.topics {
            for partition in topic.partitions {
                let key = CommittedOffsetStore.TopicPartition(topic.name, partition.partitionIndex)
                if groupError != .none {
                    errors[key] = groupError
                } else if let refusal = context.offsetCommitRefusal(topic: topic.name, partition: partition.partitionIndex,
                                                                    metadata: partition.committedMetadata) {
                    errors[key] = refusal
                } else {
                    accepted[key] = OffsetAndMetadata(
                        offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch,
                        metadata: partition.committedMetadata)
                }
            }
        }
        if !accepted.isEmpty {
            let store = context.broker.offsets
            let (group, offsets, now) = (request.groupId, accepted, Date.nowMilliseconds)
            do {
                try await context.io.run { try store.commit(group: group, offsets: offsets, now: now) }
            } catch let error as OffsetStoreError {
                for key in accepted.keys { errors[key] = .forCode(error.kafkaErrorCode) }
            }
        }
        response.topics = request.topics.map { topic in
            var result = OffsetCommitResponse.OffsetCommitResponseTopic()
            result.name = topic.name
            result.partitions = topic.partitions.map { partition in
                var entry = OffsetCommitResponse.OffsetCommitResponsePartition()
                entry.partitionIndex = partition.partitionIndex
                entry.errorCode = errors[CommittedOffsetStore.TopicPartition(topic.name, partition.partitionIndex)]?.code ?? 0
                return entry
            }
            return result
        }
        return response
    }
}
