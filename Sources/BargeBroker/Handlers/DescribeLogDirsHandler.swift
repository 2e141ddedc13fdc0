import KafkaLog
import KafkaProtocol
import KafkaSecurity

/// DescribeLogDirs, versions 1-4: the bytes of each partition in the data
/// directory (`log.dirs`), and, when tiered storage is on, in the remote
/// tier, reported as a second directory named `remote:<store>` (Kafka has
/// no API for remote bytes; this way `kafka-log-dirs.sh` and every admin
/// client show both tiers). All topics when the request names none.
struct DescribeLogDirsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeLogDirs
    static let versions: ClosedRange<Int16> = 1...4

    func handle(_ request: DescribeLogDirsRequest, context: RequestContext) async throws -> DescribeLogDirsResponse? {
        guard context.isAuthorizedOnCluster(.describe) else {
            var denied = DescribeLogDirsResponse()
            denied.errorCode = KafkaErrorCode.clusterAuthorizationFailed.code
            return denied
        }
        var wanted: [(Topic, [Int32])] = []
        if let topics = request.topics {
            for requested in topics {
                guard let topic = context.topics.topic(named: requested.topic) else { continue }
                wanted.append((topic, requested.partitions.filter { $0 >= 0 && Int($0) < topic.partitions.count }))
            }
        } else {
            wanted = context.topics.allTopics.map { ($0, Array(0..<Int32($0.partitions.count))) }
        }
        var local = DescribeLogDirsResponse.DescribeLogDirsResult()
        local.logDir = context.config.dataDirectory
        var remote = DescribeLogDirsResponse.DescribeLogDirsResult()
        remote.logDir = context.broker.tiering.map { "remote:\($0.store.location)" } ?? ""
        for (topic, partitions) in wanted where !partitions.isEmpty {
            let logs = partitions.map { ($0, topic.partitions[Int($0)]) }
            let sizes = try await context.io.run { logs.map { index, log in (index, Int64(log.sizeInBytes)) } }
            local.topics.append(Self.topic(topic.name, sizes))
            guard let tiering = context.broker.tiering, topic.config.remoteStorageEnable else { continue }
            var remoteSizes: [(Int32, Int64)] = []
            for index in partitions {
                remoteSizes.append((index, try await tiering.remoteBytes(topic: topic, partition: index)))
            }
            remote.topics.append(Self.topic(topic.name, remoteSizes))
        }
        var response = DescribeLogDirsResponse()
        response.results = [local] + (context.broker.tiering == nil ? [] : [remote])
        return response
    }

    private static func topic(_ name: String, _ sizes: [(Int32, Int64)]) -> DescribeLogDirsResponse.DescribeLogDirsTopic {
        var topic = DescribeLogDirsResponse.DescribeLogDirsTopic()
        topic.name = name
        topic.partitions = sizes.map { index, size in
            var partition = DescribeLogDirsResponse.DescribeLogDirsPartition()
            partition.partitionIndex = index
            partition.partitionSize = size
            return partition
        }
        return topic
    }
}
