import KafkaProtocol
import KafkaWireClient

/// Where a partition's records are, by tier: its offsets (ListOffsets v9:
/// earliest -2, earliest local -4, latest tiered -5, latest -1) and its bytes
/// (DescribeLogDirs: the data directory, and the remote tier that Barge's
/// broker reports as a directory named `remote:...`).
struct PartitionTiers: Encodable {
    var partition: Int32
    /// The first offset of the log, in the remote tier when it holds the oldest records.
    var logStartOffset: Int64
    /// The first offset on the broker's local disk.
    var localStartOffset: Int64
    /// The last offset copied to the remote tier; -1 when none is.
    var lastTieredOffset: Int64
    /// The offset the next record gets.
    var endOffset: Int64
    /// Bytes on local disk.
    var localBytes: Int64
    /// Bytes in the remote tier; nil when the broker has no remote tier.
    var remoteBytes: Int64?

    /// The text of `barge topics describe`'s partition line after `partition=I leader=B`.
    var text: String {
        "log-start=\(logStartOffset) local-start=\(localStartOffset) tiered-end=\(lastTieredOffset) end=\(endOffset) "
            + "local-bytes=\(localBytes)" + (remoteBytes.map { " remote-bytes=\($0)" } ?? "")
    }

    /// Asks the broker at `server` (HOST:PORT), connecting as `security` says, about `partitions` of `topic`.
    static func query(server: String, security: KafkaWireSecurity, topic: String, partitions: [Int32]) async throws -> [PartitionTiers] {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
            throw CommandFailure("'\(server)' is not HOST:PORT")
        }
        let connection = try await KafkaWireConnection.connect(host: String(server[..<colon]), port: port, security: security)
        do {
            var offsets: [Int64: [Int32: Int64]] = [:]
            for (index, timestamp) in [Int64(-2), -4, -5, -1].enumerated() {
                offsets[timestamp] = try await listOffsets(connection, topic: topic, partitions: partitions, timestamp: timestamp,
                                                           correlationId: Int32(index + 1))
            }
            let dirs = try await logDirs(connection, topic: topic, partitions: partitions)
            await connection.close()
            return partitions.map { index in
                PartitionTiers(
                    partition: index, logStartOffset: offsets[-2]?[index] ?? -1, localStartOffset: offsets[-4]?[index] ?? -1,
                    lastTieredOffset: offsets[-5]?[index] ?? -1, endOffset: offsets[-1]?[index] ?? -1,
                    localBytes: dirs.local[index] ?? 0, remoteBytes: dirs.remote.map { $0[index] ?? 0 })
            }
        } catch {
            await connection.close()
            throw error
        }
    }

    private static func listOffsets(
        _ connection: KafkaWireConnection, topic: String, partitions: [Int32], timestamp: Int64, correlationId: Int32
    ) async throws -> [Int32: Int64] {
        var request = ListOffsetsRequest()
        request.replicaId = -1
        var topicRequest = ListOffsetsRequest.ListOffsetsTopic()
        topicRequest.name = topic
        topicRequest.partitions = partitions.map { index in
            var partition = ListOffsetsRequest.ListOffsetsPartition()
            partition.partitionIndex = index
            partition.timestamp = timestamp
            return partition
        }
        request.topics = [topicRequest]
        let response = try await connection.request(request, apiKey: .listOffsets, version: 9, correlationId: correlationId,
                                                    as: ListOffsetsResponse.self)
        var result: [Int32: Int64] = [:]
        for partition in response.topics.flatMap(\.partitions) {
            guard partition.errorCode == 0 else {
                throw CommandFailure("ListOffsets \(timestamp) of \(topic)[\(partition.partitionIndex)]: \(KafkaErrorCode.forCode(partition.errorCode).name)")
            }
            result[partition.partitionIndex] = partition.offset
        }
        return result
    }

    private static func logDirs(
        _ connection: KafkaWireConnection, topic: String, partitions: [Int32]
    ) async throws -> (local: [Int32: Int64], remote: [Int32: Int64]?) {
        var request = DescribeLogDirsRequest()
        var wanted = DescribeLogDirsRequest.DescribableLogDirTopic()
        wanted.topic = topic
        wanted.partitions = partitions
        request.topics = [wanted]
        let response = try await connection.request(request, apiKey: .describeLogDirs, version: 1, correlationId: 9,
                                                    as: DescribeLogDirsResponse.self)
        var local: [Int32: Int64] = [:]
        var remote: [Int32: Int64]?
        for result in response.results {
            let sizes = Dictionary(result.topics.filter { $0.name == topic }.flatMap(\.partitions).map { ($0.partitionIndex, $0.partitionSize) },
                                   uniquingKeysWith: +)
            if result.logDir.hasPrefix("remote:") {
                remote = sizes
            } else {
                local.merge(sizes, uniquingKeysWith: +)
            }
        }
        return (local, remote)
    }
}
