import KafkaProtocol

/// DescribeConfigs, versions 0-4: a topic's configs (set on the topic or
/// defaults) and the broker's settings, by Kafka's names.
struct DescribeConfigsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeConfigs
    static let versions: ClosedRange<Int16> = 0...4

    static let topicResource: Int8 = 2
    static let brokerResource: Int8 = 4

    func handle(_ request: DescribeConfigsRequest, context: RequestContext) async throws -> DescribeConfigsResponse? {
        var response = DescribeConfigsResponse()
        for resource in request.resources {
            var result = DescribeConfigsResponse.DescribeConfigsResult()
            result.resourceType = resource.resourceType
            result.resourceName = resource.resourceName
            var entries: [(name: String, value: String, source: Int8)] = []
            switch resource.resourceType {
            case Self.topicResource:
                guard let topic = context.topics.topic(named: resource.resourceName) else {
                    result.errorCode = KafkaErrorCode.unknownTopicOrPartition.code
                    result.errorMessage = "topic '\(resource.resourceName)' does not exist"
                    response.results.append(result)
                    continue
                }
                entries = topic.config.describedEntries.map { entry in
                    (entry.name, entry.value, topic.metadata.configs[entry.name] != nil ? ConfigSource.dynamicTopic : ConfigSource.defaultConfig)
                }
            case Self.brokerResource:
                guard resource.resourceName.isEmpty || resource.resourceName == String(context.config.nodeId) else {
                    result.errorCode = KafkaErrorCode.invalidRequest.code
                    result.errorMessage = "this is broker \(context.config.nodeId), not '\(resource.resourceName)'"
                    response.results.append(result)
                    continue
                }
                entries = context.config.describedEntries.map { ($0.name, $0.value, ConfigSource.staticBroker) }
            default:
                result.errorCode = KafkaErrorCode.invalidRequest.code
                result.errorMessage = "resource type \(resource.resourceType) is not supported (2 = topic, 4 = broker)"
                response.results.append(result)
                continue
            }
            let wanted = resource.configurationKeys.map(Set.init)
            result.configs = entries.filter { wanted?.contains($0.name) ?? true }.map { entry in
                var config = DescribeConfigsResponse.DescribeConfigsResourceResult()
                config.name = entry.name
                config.value = entry.value
                if context.header.apiVersion == 0 { config.isDefault = entry.source == ConfigSource.defaultConfig }
                if context.header.apiVersion >= 1 { config.configSource = entry.source }
                return config
            }
            response.results.append(result)
        }
        return response
    }
}

extension BrokerConfig {
    /// The broker's settings by Kafka's names, for DescribeConfigs.
    var describedEntries: [(name: String, value: String)] {
        [
            ("node.id", String(nodeId)),
            ("listeners", "PLAINTEXT://\(listenHost):\(listenPort)"),
            ("log.dirs", dataDirectory),
            ("message.max.bytes", String(messageMaxBytes)),
            ("socket.request.max.bytes", String(socketRequestMaxBytes)),
            ("fetch.max.bytes", String(fetchMaxBytes)),
            ("auto.create.topics.enable", String(autoCreateTopics)),
            ("num.partitions", String(numPartitions)),
            ("log.retention.check.interval.ms", String(retentionCheckIntervalMs)),
            ("log.flush.scheduler.interval.ms", String(flushSchedulerIntervalMs)),
        ] + remoteStorage.describedEntries
    }
}
