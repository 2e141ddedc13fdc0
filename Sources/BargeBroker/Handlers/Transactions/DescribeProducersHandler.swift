import KafkaProtocol
import KafkaSecurity

/// DescribeProducers, version 0 (`kafka-transactions.sh describe-producers`,
/// to find hanging transactions): each partition's idempotent and
/// transactional producers with their epoch, last sequence and timestamp,
/// and the first offset of their transaction in progress.
struct DescribeProducersHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeProducers
    static let versions: ClosedRange<Int16> = 0...0

    func handle(_ request: DescribeProducersRequest, context: RequestContext) async throws -> DescribeProducersResponse? {
        var response = DescribeProducersResponse()
        for topicRequest in request.topics {
            var topicResponse = DescribeProducersResponse.TopicResponse()
            topicResponse.name = topicRequest.name
            for index in topicRequest.partitionIndexes {
                var partition = DescribeProducersResponse.PartitionResponse()
                partition.partitionIndex = index
                guard context.isAuthorized(.read, .topic, topicRequest.name) else {
                    partition.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                    topicResponse.partitions.append(partition)
                    continue
                }
                guard let log = context.topics.partition(topic: topicRequest.name, index: index) else {
                    partition.errorCode = KafkaErrorCode.unknownTopicOrPartition.code
                    partition.errorMessage = "topic '\(topicRequest.name)' has no partition \(index)"
                    topicResponse.partitions.append(partition)
                    continue
                }
                // The log's lock may be held by an fsync: ask off the concurrency pool.
                let producers = try await context.io.run { log.producers }
                partition.activeProducers = producers.map { producer in
                    var state = DescribeProducersResponse.ProducerState()
                    state.producerId = producer.producerId
                    state.producerEpoch = Int32(producer.epoch)
                    state.lastSequence = producer.lastSequence
                    state.lastTimestamp = producer.lastTimestamp
                    state.coordinatorEpoch = 0
                    state.currentTxnStartOffset = producer.currentTxnStartOffset
                    return state
                }
                topicResponse.partitions.append(partition)
            }
            response.topics.append(topicResponse)
        }
        return response
    }
}
