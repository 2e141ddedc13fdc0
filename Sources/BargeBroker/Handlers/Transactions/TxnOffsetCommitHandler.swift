import KafkaProtocol
import KafkaSecurity

/// TxnOffsetCommit, versions 0-4: a group's offsets sent to a transaction.
/// They become the group's committed offsets only when the transaction
/// commits; until then OffsetFetch with require_stable answers
/// UNSTABLE_OFFSET_COMMIT for them. From version 3 the producer names the
/// consumer's group member and generation (KIP-447): a member whose
/// partitions a rebalance has handed on gets ILLEGAL_GENERATION (or
/// UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) and must abort, so that a zombie
/// cannot commit offsets its partitions' new owner already read from.
struct TxnOffsetCommitHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.txnOffsetCommit
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: TxnOffsetCommitRequest, context: RequestContext) async throws -> TxnOffsetCommitResponse? {
        typealias TopicPartition = TransactionMetadata.TopicPartition
        var codes: [TopicPartition: KafkaErrorCode] = [:]
        var accepted: [TopicPartition: OffsetAndMetadata] = [:]
        var memberError = KafkaErrorCode.none
        if !context.isAuthorized(.write, .transactionalId, request.transactionalId) {
            memberError = .transactionalIdAuthorizationFailed
        } else if !context.isAuthorized(.read, .group, request.groupId) {
            memberError = .groupAuthorizationFailed
        } else if context.header.apiVersion >= 3, request.generationId >= 0 || !request.memberId.isEmpty || request.groupInstanceId != nil {
            memberError = await context.broker.groups.validateCommit(
                group: request.groupId, memberId: request.memberId, groupInstanceId: request.groupInstanceId,
                generationId: request.generationId)
        }
        for topic in request.topics {
            for partition in topic.partitions {
                let key = TopicPartition(topic.name, partition.partitionIndex)
                if memberError != .none {
                    codes[key] = memberError
                } else if let refusal = context.offsetCommitRefusal(topic: topic.name, partition: partition.partitionIndex,
                                                             metadata: partition.committedMetadata) {
                    codes[key] = refusal
                } else {
                    accepted[key] = OffsetAndMetadata(offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch,
                                                      metadata: partition.committedMetadata)
                }
            }
        }
        if !accepted.isEmpty {
            do {
                try await context.broker.transactions.commitOffsets(
                    transactionalId: request.transactionalId, producerId: request.producerId, epoch: request.producerEpoch,
                    group: request.groupId, offsets: accepted, fencedCode: context.fencedCode(since: 3))
            } catch {
                context.logRefusal(error, transactionalId: request.transactionalId)
                for key in accepted.keys { codes[key] = error.code }
            }
        }
        var response = TxnOffsetCommitResponse()
        response.topics = request.topics.map { topic in
            var answer = TxnOffsetCommitResponse.TxnOffsetCommitResponseTopic()
            answer.name = topic.name
            answer.partitions = topic.partitions.map { partition in
                var result = TxnOffsetCommitResponse.TxnOffsetCommitResponsePartition()
                result.partitionIndex = partition.partitionIndex
                result.errorCode = (codes[.init(topic.name, partition.partitionIndex)] ?? .none).code
                return result
            }
            return answer
        }
        return response
    }
}
