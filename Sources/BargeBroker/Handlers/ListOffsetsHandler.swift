import KafkaLog
import KafkaProtocol

/// ListOffsets, versions 1-6: the earliest offset (timestamp -2), the latest
/// (-1), or the first offset whose timestamp is at or after the given one
/// (offset and timestamp -1 when there is none).
struct ListOffsetsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.listOffsets
    static let versions: ClosedRange<Int16> = 1...6

    static let latest: Int64 = -1
    static let earliest: Int64 = -2

    func handle(_ request: ListOffsetsRequest, context: RequestContext) async throws -> ListOffsetsResponse? {
        var response = ListOffsetsResponse()
        for topicRequest in request.topics {
            var topicResponse = ListOffsetsResponse.ListOffsetsTopicResponse()
            topicResponse.name = topicRequest.name
            for partitionRequest in topicRequest.partitions {
                var partition = ListOffsetsResponse.ListOffsetsPartitionResponse()
                partition.partitionIndex = partitionRequest.partitionIndex
                partition.timestamp = -1
                partition.offset = -1
                if context.header.apiVersion >= 4 { partition.leaderEpoch = 0 }
                guard let log = context.topics.partition(topic: topicRequest.name, index: partitionRequest.partitionIndex) else {
                    partition.errorCode = KafkaErrorCode.unknownTopicOrPartition.code
                    topicResponse.partitions.append(partition)
                    continue
                }
                // The log's offsets take its lock, which fsyncs may hold: ask off the concurrency pool.
                switch partitionRequest.timestamp {
                case Self.latest:
                    partition.offset = try await context.io.run { log.logEndOffset }
                case Self.earliest:
                    partition.offset = try await context.io.run { log.logStartOffset }
                case let timestamp where timestamp >= 0:
                    do {
                        if let found = try await context.io.run({ try log.offset(forTimestamp: timestamp) }) {
                            partition.offset = found.offset
                            partition.timestamp = found.timestamp
                        }
                    } catch let error as LogError {
                        partition.errorCode = error.kafkaErrorCode
                    }
                default:
                    partition.errorCode = KafkaErrorCode.unsupportedVersion.code
                }
                topicResponse.partitions.append(partition)
            }
            response.topics.append(topicResponse)
        }
        return response
    }
}
