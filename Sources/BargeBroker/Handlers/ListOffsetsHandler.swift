import KafkaLog
import KafkaProtocol
import KafkaSecurity

/// ListOffsets, versions 1-10: the earliest offset (timestamp -2, the log
/// start, in the remote tier for a tiered topic), the latest (-1), the
/// offset of the largest timestamp (-3, v7+), the earliest local offset
/// (-4, v8+), the latest offset in the remote tier (-5, v9+; -1 when none),
/// or the first offset whose timestamp is at or after the given one (offset
/// and timestamp -1 when there is none), searched in the remote tier first.
/// A special timestamp below its version is UNSUPPORTED_VERSION. Under
/// read_committed (v2+), the latest offset is the last stable offset.
struct ListOffsetsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.listOffsets
    static let versions: ClosedRange<Int16> = 1...10

    static let latest: Int64 = -1
    static let earliest: Int64 = -2
    static let maxTimestamp: Int64 = -3
    static let earliestLocal: Int64 = -4
    static let latestTiered: Int64 = -5

    /// The first version that knows each special timestamp.
    static let firstVersion: [Int64: Int16] = [latest: 0, earliest: 0, maxTimestamp: 7, earliestLocal: 8, latestTiered: 9]

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
                guard context.isAuthorized(.describe, .topic, topicRequest.name) else {
                    partition.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                    topicResponse.partitions.append(partition)
                    continue
                }
                guard let topic = context.topics.topic(named: topicRequest.name), partitionRequest.partitionIndex >= 0,
                      Int(partitionRequest.partitionIndex) < topic.partitions.count else {
                    partition.errorCode = KafkaErrorCode.unknownTopicOrPartition.code
                    topicResponse.partitions.append(partition)
                    continue
                }
                let timestamp = partitionRequest.timestamp
                if timestamp < 0, (Self.firstVersion[timestamp] ?? .max) > context.header.apiVersion {
                    partition.errorCode = KafkaErrorCode.unsupportedVersion.code
                } else {
                    do {
                        let isolation = IsolationLevel(rawValue: request.isolationLevel) ?? .readUncommitted
                        if let found = try await lookUp(timestamp, in: topic, partition: partitionRequest.partitionIndex, isolation: isolation,
                                                        context: context) {
                            partition.offset = found.offset
                            partition.timestamp = found.timestamp
                        }
                    } catch let error as LogError {
                        partition.errorCode = error.kafkaErrorCode
                    } catch {
                        context.logger.warning("a ListOffsets lookup in the remote tier failed", metadata: [
                            "topic": "\(topic.name)", "partition": "\(partitionRequest.partitionIndex)", "error": "\(error)",
                        ])
                        partition.errorCode = KafkaErrorCode.unknownServerError.code
                    }
                }
                topicResponse.partitions.append(partition)
            }
            response.topics.append(topicResponse)
        }
        return response
    }

    /// The offset (and timestamp, where one belongs) that `timestamp` asks for; nil for "none" (-1, -1).
    private func lookUp(
        _ timestamp: Int64, in topic: Topic, partition index: Int32, isolation: IsolationLevel, context: RequestContext
    ) async throws -> TimestampedOffset? {
        let log = topic.partitions[Int(index)]
        let tiering = log.config.remoteStorageEnable ? context.broker.tiering : nil
        // The log's offsets take its lock, which fsyncs may hold: ask off the concurrency pool.
        switch timestamp {
        case Self.latest:
            let offset = try await context.io.run { isolation == .readCommitted ? log.lastStableOffset : log.logEndOffset }
            return TimestampedOffset(offset: offset, timestamp: -1)
        case Self.earliest:
            return TimestampedOffset(offset: try await context.io.run { log.logStartOffset }, timestamp: -1)
        case Self.earliestLocal:
            return TimestampedOffset(offset: try await context.io.run { log.localLogStartOffset }, timestamp: -1)
        case Self.latestTiered:
            guard let end = tiering != nil ? log.remoteEndOffset : nil else { return nil }
            return TimestampedOffset(offset: end - 1, timestamp: -1)
        case Self.maxTimestamp:
            let local = try await context.io.run { log.localMaxTimestamp }
            let remote = try await tiering?.maxTimestamp(topic: topic, partition: index, log: log)
            guard let remote else { return local }
            return local.map { $0.timestamp > remote.timestamp ? $0 : remote } ?? remote
        case let timestamp where timestamp >= 0:
            if let tiering, let found = try await tiering.offset(forTimestamp: timestamp, topic: topic, partition: index, log: log) {
                return found
            }
            return try await context.io.run { try log.offset(forTimestamp: timestamp) }
        default:
            throw LogError(.offsetOutOfRange, "timestamp \(timestamp) is not a ListOffsets target")
        }
    }
}
