import KafkaProtocol
import KafkaSecurity

/// Metadata, versions 0-12: this broker is the only node, controller and
/// leader of every partition, at the advertised address of the listener the
/// request came in on. Unknown topics are created when
/// `auto.create.topics.enable` is on, the client allows it (v4+) and may
/// CREATE the topic (or the cluster). Topics the client may not DESCRIBE
/// are left out of a list of all topics, and answer TOPIC_AUTHORIZATION_FAILED
/// when named (whether they exist or not).
struct MetadataHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.metadata
    static let versions: ClosedRange<Int16> = 0...12

    func handle(_ request: MetadataRequest, context: RequestContext) async throws -> MetadataResponse? {
        let version = context.header.apiVersion
        var response = MetadataResponse()
        var broker = MetadataResponse.MetadataResponseBroker()
        broker.nodeId = context.config.nodeId
        broker.host = context.endpoint.advertisedHost
        broker.port = context.endpoint.advertisedPort
        response.brokers = [broker]
        response.clusterId = context.broker.clusterId
        response.controllerId = context.config.nodeId

        // v0 asks for all topics with an empty list; v1+ with a null one.
        let requested = request.topics.flatMap { version == 0 && $0.isEmpty ? nil : $0 }
        guard let requested else {
            response.topics = context.topics.allTopics.filter { context.isAuthorized(.describe, .topic, $0.name) }
                .map { describe($0, context: context) }
            return response
        }
        let autoCreate = context.config.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation)
        for entry in requested {
            if let name = entry.name {
                response.topics.append(await lookUp(name: name, autoCreate: autoCreate, context: context))
            } else if let topic = context.topics.topic(id: entry.topicId), context.isAuthorized(.describe, .topic, topic.name) {
                response.topics.append(describe(topic, context: context))
            } else if context.topics.topic(id: entry.topicId) != nil {
                var denied = MetadataResponse.MetadataResponseTopic()
                denied.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                denied.topicId = entry.topicId
                response.topics.append(denied)
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
        guard context.isAuthorized(.describe, .topic, name) else {
            var denied = MetadataResponse.MetadataResponseTopic()
            denied.name = name
            denied.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
            return denied
        }
        let mayCreate = autoCreate && context.mayCreate(topic: name)
        switch await context.topic(named: name, autoCreate: mayCreate) {
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
