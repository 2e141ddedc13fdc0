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
