import KafkaProtocol
import KafkaSecurity

/// AddPartitionsToTxn, versions 0-3 (the client versions; 4 and later are
/// broker-to-broker): adds partitions to the producer's transaction, with
/// an error code per partition.
struct AddPartitionsToTxnHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.addPartitionsToTxn
    static let versions: ClosedRange<Int16> = 0...3

    func handle(_ request: AddPartitionsToTxnRequest, context: RequestContext) async throws -> AddPartitionsToTxnResponse? {
        let partitions = request.v3AndBelowTopics.flatMap { topic in topic.partitions.map { TransactionMetadata.TopicPartition(topic.name, $0) } }
        var codes: [TransactionMetadata.TopicPartition: KafkaErrorCode]
        let deniedTopics = Set(request.v3AndBelowTopics.map(\.name).filter { !context.isAuthorized(.write, .topic, $0) })
        if !context.isAuthorized(.write, .transactionalId, request.v3AndBelowTransactionalId) {
            codes = Dictionary(partitions.map { ($0, .transactionalIdAuthorizationFailed) }, uniquingKeysWith: { first, _ in first })
        } else if !deniedTopics.isEmpty {
            // As Kafka: the topics refused say so, the others were not attempted.
            codes = Dictionary(partitions.map { ($0, deniedTopics.contains($0.topic) ? .topicAuthorizationFailed : .operationNotAttempted) },
                               uniquingKeysWith: { first, _ in first })
        } else {
            do {
                codes = try await context.broker.transactions.addPartitions(
                    transactionalId: request.v3AndBelowTransactionalId, producerId: request.v3AndBelowProducerId,
                    epoch: request.v3AndBelowProducerEpoch, partitions: partitions, fencedCode: context.fencedCode(since: 2))
            } catch {
                context.logRefusal(error, transactionalId: request.v3AndBelowTransactionalId)
                codes = Dictionary(partitions.map { ($0, error.code) }, uniquingKeysWith: { first, _ in first })
            }
        }
        var response = AddPartitionsToTxnResponse()
        response.resultsByTopicV3AndBelow = request.v3AndBelowTopics.map { topic in
            var result = AddPartitionsToTxnResponse.AddPartitionsToTxnTopicResult()
            result.name = topic.name
            result.resultsByPartition = topic.partitions.map { partition in
                var answer = AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult()
                answer.partitionIndex = partition
                answer.partitionErrorCode = (codes[.init(topic.name, partition)] ?? .none).code
                return answer
            }
            return result
        }
        return response
    }
}
