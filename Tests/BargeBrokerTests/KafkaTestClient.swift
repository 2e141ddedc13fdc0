import KafkaProtocol
import NIOCore
import NIOPosix
import Testing

/// A minimal Kafka client for tests: sends request frames and reads response
/// frames on one connection, or raw bytes for hostile-input tests.
final class KafkaTestClient: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator.Box
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        self.inbound = .init(channel.inbound.makeAsyncIterator())
        self.outbound = channel.outbound
    }

    static func connect(port: Int) async throws -> KafkaTestClient {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(KafkaFrameDecoder(maximumFrameSize: 512 * 1024 * 1024)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return KafkaTestClient(channel: channel)
    }

    /// Sends raw bytes.
    func send(raw bytes: ByteBuffer) async throws {
        try await outbound.write(bytes)
    }

    /// The next response frame's body (without size), or nil if the broker closed the connection.
    func nextFrame() async throws -> ByteBuffer? {
        try await inbound.next()
    }

    /// Sends a request and decodes its response.
    func request<Request: KafkaMessage, Response: KafkaMessage>(
        _ request: Request, apiKey: KafkaApiKey, version: Int16, correlationId: Int32 = 1, as: Response.Type
    ) async throws -> Response {
        let header = KafkaRequestHeader(apiKey: apiKey, apiVersion: version, correlationId: correlationId, clientId: "barge-tests")
        try await send(raw: try KafkaFrame.request(request, header: header))
        guard let frame = try await nextFrame() else { throw TestClientError.closed }
        let decoded = try KafkaFrame.decodeResponse(Response.self, from: frame, apiKey: apiKey, version: version)
        guard decoded.correlationId == correlationId else { throw TestClientError.wrongCorrelationId(decoded.correlationId) }
        return decoded.message
    }

    func close() async {
        try? await channel.channel.close()
    }
}

enum TestClientError: Error {
    case closed
    case wrongCorrelationId(Int32)
}

extension NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator {
    /// Holds the iterator so that a Sendable client can advance it from one task at a time.
    final class Box: @unchecked Sendable {
        private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }
        func next() async throws -> ByteBuffer? { try await iterator.next() }
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
