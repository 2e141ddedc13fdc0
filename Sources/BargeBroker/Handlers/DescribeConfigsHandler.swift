import KafkaProtocol
import KafkaSecurity

/// DescribeConfigs, versions 0-4: every topic config Kafka defines, with its
/// source (set on the topic, the broker's default from its settings, or
/// Kafka's default) and, from v3, its type; and the broker's settings, by
/// Kafka's names. Synonyms are not listed.
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
            var entries: [(name: String, value: String, source: Int8, type: Int8)] = []
            if let denied = ConfigResourceAnswer.refusal(.describeConfigs, resource.resourceType, resource.resourceName, context: context) {
                result.errorCode = denied.code.code
                result.errorMessage = denied.message
                response.results.append(result)
                continue
            }
            switch resource.resourceType {
            case Self.topicResource:
                guard let topic = context.topics.topic(named: resource.resourceName) else {
                    result.errorCode = KafkaErrorCode.unknownTopicOrPartition.code
                    result.errorMessage = "topic '\(resource.resourceName)' does not exist"
                    response.results.append(result)
                    continue
                }
                entries = topic.describedConfigs(brokerDefaults: context.config.topicDefaults).map { ($0.entry.name, $0.entry.value, $0.source, $0.entry.type.kafkaCode) }
            case Self.brokerResource:
                guard resource.resourceName.isEmpty || resource.resourceName == String(context.config.nodeId) else {
                    result.errorCode = KafkaErrorCode.invalidRequest.code
                    result.errorMessage = "this is broker \(context.config.nodeId), not '\(resource.resourceName)'"
                    response.results.append(result)
                    continue
                }
                entries = context.config.describedEntries.map { ($0.name, $0.value, ConfigSource.staticBroker, 0) }
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
                if context.header.apiVersion >= 3 { config.configType = entry.type }
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
            ("listeners", listeners.map { "\($0.name)://\($0.host):\($0.port)" }.joined(separator: ",")),
            ("listener.security.protocol.map", listenerSecurityProtocolMap.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.rawValue)" }
                .joined(separator: ",")),
            ("sasl.enabled.mechanisms", security.saslEnabledMechanisms.joined(separator: ",")),
            ("ssl.client.auth", tls.clientAuthentication.rawValue),
            ("super.users", security.superUsers.joined(separator: ";")),
            ("allow.everyone.if.no.acl.found", String(security.allowEveryoneIfNoAclFound)),
            ("max.connections", String(security.maxConnections)),
            ("max.connections.per.ip", String(security.maxConnectionsPerIp)),
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
