import KafkaProtocol
import KafkaWireClient
import NIOCore
import NIOPosix
import Testing

/// The tests' client: a wire connection to the broker under test.
typealias KafkaTestClient = KafkaWireConnection

extension KafkaWireConnection {
    /// Connects to a broker on 127.0.0.1.
    static func connect(port: Int) async throws -> KafkaWireConnection {
        try await connect(host: "127.0.0.1", port: port)
    }
}

extension ProduceRequest {
    /// A request that writes `batch` to partition 0 of `topic`.
    static func single(topic: String, batch: ByteBuffer, acks: Int16 = -1) -> ProduceRequest {
        var partition = ProduceRequest.PartitionProduceData()
        partition.index = 0
        partition.records = KafkaRecords(bytes: batch)
        var topicData = ProduceRequest.TopicProduceData()
        topicData.name = topic
        topicData.partitionData = [partition]
        var request = ProduceRequest()
        request.acks = acks
        request.timeoutMs = 5_000
        request.topicData = [topicData]
        return request
    }
}

extension KafkaTestClient {
    /// Creates one topic with replication factor 1 (CreateTopics v`version`) and returns its result.
    func createTopic(_ name: String, partitions: Int32 = 1, version: Int16 = 7) async throws -> CreateTopicsResponse.CreatableTopicResult {
        var creatable = CreateTopicsRequest.CreatableTopic()
        creatable.name = name
        creatable.numPartitions = partitions
        creatable.replicationFactor = 1
        var create = CreateTopicsRequest()
        create.topics = [creatable]
        create.timeoutMs = 5_000
        let response = try await request(create, apiKey: .createTopics, version: version, as: CreateTopicsResponse.self)
        return try #require(response.topics.first)
    }
}

extension KafkaTestClient {
    /// Produces `batch` to partition 0 of `topic` (Produce v`version`); the partition's answer.
    func produce(
        topic: String, batch: ByteBuffer, acks: Int16 = -1, version: Int16 = 9, transactionalId: String? = nil
    ) async throws -> ProduceResponse.PartitionProduceResponse {
        var request = ProduceRequest.single(topic: topic, batch: batch, acks: acks)
        request.transactionalId = transactionalId
        let response = try await self.request(request, apiKey: .produce, version: version, as: ProduceResponse.self)
        return try #require(response.responses.first?.partitionResponses.first)
    }

    /// Fetches partition 0 of `topic` (by id when `topicId` is given) from `offset`; the partition's answer.
    func fetch(
        topic: String, topicId: KafkaUUID? = nil, offset: Int64, maxWaitMs: Int32 = 0, minBytes: Int32 = 1,
        partitionMaxBytes: Int32 = 1_048_576, readCommitted: Bool = false, version: Int16 = 12
    ) async throws -> FetchResponse.PartitionData {
        var partition = FetchRequest.FetchPartition()
        partition.partition = 0
        partition.fetchOffset = offset
        partition.partitionMaxBytes = partitionMaxBytes
        var topicRequest = FetchRequest.FetchTopic()
        if let topicId {
            topicRequest.topicId = topicId
        } else {
            topicRequest.topic = topic
        }
        topicRequest.partitions = [partition]
        var request = FetchRequest()
        request.replicaId = -1
        request.maxWaitMs = maxWaitMs
        request.minBytes = minBytes
        request.maxBytes = 52_428_800
        request.sessionEpoch = -1
        request.isolationLevel = readCommitted ? 1 : 0
        request.topics = [topicRequest]
        let response = try await self.request(request, apiKey: .fetch, version: version, as: FetchResponse.self)
        return try #require(response.responses.first?.partitions.first)
    }
}
