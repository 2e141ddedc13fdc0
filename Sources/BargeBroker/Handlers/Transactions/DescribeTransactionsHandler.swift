import KafkaProtocol
import KafkaSecurity

/// DescribeTransactions, version 0 (`kafka-transactions.sh describe`): the
/// state, producer, timeout, start and partitions of each transactional id;
/// an unknown id gets TRANSACTIONAL_ID_NOT_FOUND.
struct DescribeTransactionsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeTransactions
    static let versions: ClosedRange<Int16> = 0...0

    func handle(_ request: DescribeTransactionsRequest, context: RequestContext) async throws -> DescribeTransactionsResponse? {
        var response = DescribeTransactionsResponse()
        for id in request.transactionalIds {
            var answer = DescribeTransactionsResponse.TransactionState()
            answer.transactionalId = id
            guard context.isAuthorized(.describe, .transactionalId, id) else {
                answer.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.code
                response.transactionStates.append(answer)
                continue
            }
            guard let metadata = await context.broker.transactions.describe(id) else {
                answer.errorCode = KafkaErrorCode.transactionalIdNotFound.code
                response.transactionStates.append(answer)
                continue
            }
            answer.transactionState = metadata.state.kafkaName
            answer.transactionTimeoutMs = metadata.timeoutMs
            answer.transactionStartTimeMs = metadata.startTimestamp
            answer.producerId = metadata.producerId
            answer.producerEpoch = metadata.producerEpoch
            answer.topics = Dictionary(grouping: metadata.partitions, by: \.topic).sorted { $0.key < $1.key }.map { topic, partitions in
                var data = DescribeTransactionsResponse.TopicData()
                data.topic = topic
                data.partitions = partitions.map(\.partition).sorted()
                return data
            }
            response.transactionStates.append(answer)
        }
        return response
    }
}
