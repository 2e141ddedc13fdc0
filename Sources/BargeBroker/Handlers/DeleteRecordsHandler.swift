import KafkaLog
import KafkaProtocol
import KafkaSecurity

/// DeleteRecords, versions 0-2: moves each partition's log start offset to
/// the given offset (-1: the high watermark) and deletes the segments wholly
/// below it; answers the new low watermark. An offset below the log start
/// changes nothing; one beyond the log end (or below -1) gets
/// OFFSET_OUT_OF_RANGE; an unknown topic or partition UNKNOWN_TOPIC_OR_PARTITION.
struct DeleteRecordsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.deleteRecords
    static let versions: ClosedRange<Int16> = 0...2

    /// The offset that stands for the high watermark.
    static let highWatermark: Int64 = -1

    func handle(_ request: DeleteRecordsRequest, context: RequestContext) async throws -> DeleteRecordsResponse? {
        var response = DeleteRecordsResponse()
        for topic in request.topics {
            var topicResult = DeleteRecordsResponse.DeleteRecordsTopicResult()
            topicResult.name = topic.name
            for partition in topic.partitions {
                var result = DeleteRecordsResponse.DeleteRecordsPartitionResult()
                result.partitionIndex = partition.partitionIndex
                result.lowWatermark = -1
                guard context.isAuthorized(.delete, .topic, topic.name) else {
                    result.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                    topicResult.partitions.append(result)
                    continue
                }
                guard let log = context.topics.partition(topic: topic.name, index: partition.partitionIndex) else {
                    result.errorCode = KafkaErrorCode.unknownTopicOrPartition.code
                    topicResult.partitions.append(result)
                    continue
                }
                let offset = partition.offset
                do {
                    result.lowWatermark = try await context.io.run {
                        try log.deleteRecords(before: offset == Self.highWatermark ? log.logEndOffset : offset)
                    }
                } catch let error as LogError where error.kind != .storage {
                    result.errorCode = error.kafkaErrorCode
                } catch {
                    context.broker.storageFailures.report(error, topic: topic.name, partition: partition.partitionIndex, logger: context.logger)
                    result.errorCode = KafkaErrorCode.kafkaStorageError.code
                }
                topicResult.partitions.append(result)
            }
            response.topics.append(topicResult)
        }
        return response
    }
}
