import KafkaProtocol

/// Metadata, versions 0-12: this broker is the only node, controller and
/// leader of every partition. Unknown topics are created when
/// `auto.create.topics.enable` is on and the client allows it (v4+).
struct MetadataHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.metadata
    static let versions: ClosedRange<Int16> = 0...12

    func handle(_ request: MetadataRequest, context: RequestContext) async throws -> MetadataResponse? {
        let version = context.header.apiVersion
        var response = MetadataResponse()
        var broker = MetadataResponse.MetadataResponseBroker()
        broker.nodeId = context.config.nodeId
        broker.host = context.broker.advertisedHost
        broker.port = context.broker.advertisedPort
        response.brokers = [broker]
        response.clusterId = context.broker.clusterId
        response.controllerId = context.config.nodeId

        // v0 asks for all topics with an empty list; v1+ with a null one.
        let requested = request.topics.flatMap { version == 0 && $0.isEmpty ? nil : $0 }
        guard let requested else {
            response.topics = context.topics.allTopics.map { describe($0, context: context) }
            return response
        }
        let autoCreate = context.config.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation)
        for entry in requested {
            if let name = entry.name {
                response.topics.append(await lookUp(name: name, autoCreate: autoCreate, context: context))
            } else if let topic = context.topics.topic(id: entry.topicId) {
                response.topics.append(describe(topic, context: context))
            } else {
                var missing = MetadataResponse.MetadataResponseTopic()
                missing.errorCode = KafkaErrorCode.unknownTopicId.code
                missing.topicId = entry.topicId
                response.topics.append(missing)
            }
        }
        return response
    }

    private func lookUp(name: String, autoCreate: Bool, context: RequestContext) async -> MetadataResponse.MetadataResponseTopic {
        switch await context.topic(named: name, autoCreate: autoCreate) {
        case .success(let topic):
            return describe(topic, context: context)
        case .failure(let error):
            var missing = MetadataResponse.MetadataResponseTopic()
            missing.name = name
            missing.errorCode = error.code.code
            return missing
        }
    }

    private func describe(_ topic: Topic, context: RequestContext) -> MetadataResponse.MetadataResponseTopic {
        var entry = MetadataResponse.MetadataResponseTopic()
        entry.name = topic.name
        entry.topicId = topic.id
        entry.partitions = (0..<Int32(topic.partitions.count)).map { index in
            var partition = MetadataResponse.MetadataResponsePartition()
            partition.partitionIndex = index
            partition.leaderId = context.config.nodeId
            partition.leaderEpoch = 0
            partition.replicaNodes = [context.config.nodeId]
            partition.isrNodes = [context.config.nodeId]
            return partition
        }
        return entry
    }
}
