import KafkaLog
import KafkaProtocol
import KafkaSecurity

/// CreateTopics, versions 0-7: partitions (-1 for `num.partitions`),
/// replication factor 1 (or -1), and topic configs checked against Kafka's
/// names; `validateOnly` checks without creating. From v5 the result lists
/// the topic's configs, from v7 its id.
struct CreateTopicsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.createTopics
    static let versions: ClosedRange<Int16> = 0...7

    func handle(_ request: CreateTopicsRequest, context: RequestContext) async throws -> CreateTopicsResponse? {
        var response = CreateTopicsResponse()
        var seen: Set<String> = []
        for creatable in request.topics {
            var result = CreateTopicsResponse.CreatableTopicResult()
            result.name = creatable.name
            result.numPartitions = -1
            result.replicationFactor = -1
            guard seen.insert(creatable.name).inserted else {
                result.errorCode = KafkaErrorCode.invalidRequest.code
                result.errorMessage = "topic '\(creatable.name)' appears more than once in the request"
                response.topics.append(result)
                continue
            }
            guard context.mayCreate(topic: creatable.name) else {
                result.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                result.errorMessage = "\(context.principal) may not create topic '\(creatable.name)'"
                response.topics.append(result)
                continue
            }
            do {
                let topic = try await create(creatable, validateOnly: request.validateOnly, context: context)
                result.topicId = topic.id
                result.numPartitions = topic.metadata.partitionCount
                result.replicationFactor = 1
                if context.header.apiVersion >= 5 {
                    result.configs = topic.describedConfigs(brokerDefaults: context.config.topicDefaults).map { described in
                        var config = CreateTopicsResponse.CreatableTopicConfigs()
                        config.name = described.entry.name
                        config.value = described.entry.value
                        config.configSource = described.source
                        return config
                    }
                }
            } catch let error as TopicError {
                result.errorCode = error.code.code
                result.errorMessage = error.message
            }
            response.topics.append(result)
        }
        return response
    }

    private func create(_ creatable: CreateTopicsRequest.CreatableTopic, validateOnly: Bool, context: RequestContext) async throws -> Topic {
        guard creatable.replicationFactor == -1 || creatable.replicationFactor == 1 else {
            throw TopicError(code: .invalidReplicationFactor, message: "this broker is a single node: replication factor must be 1, not \(creatable.replicationFactor)")
        }
        var partitions = creatable.numPartitions == -1 ? context.config.numPartitions : creatable.numPartitions
        if !creatable.assignments.isEmpty {
            guard creatable.numPartitions == -1 else {
                throw TopicError(code: .invalidRequest, message: "give either a partition count or replica assignments, not both")
            }
            let indexes = creatable.assignments.map(\.partitionIndex).sorted()
            guard indexes == Array(0..<Int32(indexes.count)),
                  creatable.assignments.allSatisfy({ $0.brokerIds == [context.config.nodeId] }) else {
                throw TopicError(code: .invalidReplicaAssignment, message: "assignments must name partitions 0..n-1, each on broker \(context.config.nodeId) only")
            }
            partitions = Int32(indexes.count)
        }
        var configs: [String: String] = [:]
        for config in creatable.configs {
            guard let value = config.value else {
                throw TopicError(code: .invalidConfig, message: "config '\(config.name)' has a null value")
            }
            configs[config.name] = value
        }
        let topics = context.topics
        let name = creatable.name
        let (partitionCount, topicConfigs) = (partitions, configs)
        return try await context.io.run {
            try topics.createTopic(name: name, partitions: partitionCount, configs: topicConfigs, validateOnly: validateOnly)
        }
    }
}

/// Where a config value comes from, as DescribeConfigs and CreateTopics say it.
enum ConfigSource {
    static let dynamicTopic: Int8 = 1
    static let staticBroker: Int8 = 4
    static let defaultConfig: Int8 = 5
}

extension Topic {
    /// Every topic config with where its value comes from: set on the topic,
    /// the broker's default (its settings differ from Kafka's), or Kafka's default.
    func describedConfigs(brokerDefaults: LogConfig) -> [(entry: LogConfig.Entry, source: Int8)] {
        let kafkaDefaults = brokerDefaults.describedEntries
        return zip(config.describedEntries(defaults: brokerDefaults), kafkaDefaults).map { entry, brokerDefault in
            let source = metadata.configs[entry.name] != nil ? ConfigSource.dynamicTopic
                : brokerDefault.isDefault ? ConfigSource.defaultConfig : ConfigSource.staticBroker
            return (entry, source)
        }
    }
}

extension KafkaErrorCode {
    static var invalidReplicaAssignment: KafkaErrorCode { .forCode(39) }
}
