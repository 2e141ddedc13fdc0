import KafkaProtocol
import KafkaSecurity

/// IncrementalAlterConfigs, versions 0-1: SET, DELETE, APPEND and SUBTRACT
/// (the last two on list configs such as `cleanup.policy`) on a topic's
/// config overrides, in order; the result is checked as a whole, persisted
/// and applied live to every partition, or refused with nothing changed.
/// `validateOnly` checks without changing. The broker's own settings
/// cannot change while it runs (`ConfigResourceAnswer.brokerChange`).
struct IncrementalAlterConfigsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.incrementalAlterConfigs
    static let versions: ClosedRange<Int16> = 0...1

    func handle(_ request: IncrementalAlterConfigsRequest, context: RequestContext) async throws -> IncrementalAlterConfigsResponse? {
        var response = IncrementalAlterConfigsResponse()
        for resource in request.resources {
            var result = IncrementalAlterConfigsResponse.AlterConfigsResourceResponse()
            result.resourceType = resource.resourceType
            result.resourceName = resource.resourceName
            (result.errorCode, result.errorMessage) = try await ConfigResourceAnswer.outcome {
                try await alter(resource, validateOnly: request.validateOnly, context: context)
            }
            response.responses.append(result)
        }
        return response
    }

    private func alter(_ resource: IncrementalAlterConfigsRequest.AlterConfigsResource, validateOnly: Bool, context: RequestContext) async throws {
        if let denied = ConfigResourceAnswer.refusal(.alterConfigs, resource.resourceType, resource.resourceName, context: context) {
            throw denied
        }
        let names = resource.configs.map(\.name)
        try ConfigResourceAnswer.checkUniqueNames(names)
        let changes = try resource.configs.map { config throws(TopicError) in
            try TopicConfigChange(name: config.name, operation: config.configOperation, value: config.value)
        }
        switch resource.resourceType {
        case ConfigResourceAnswer.topicResource:
            let (topics, name) = (context.topics, resource.resourceName)
            _ = try await context.io.run {
                try topics.alterConfigs(ofTopic: name, validateOnly: validateOnly) { overrides, config in
                    try TopicConfigChange.apply(changes, to: overrides, config: config)
                }
            }
        case ConfigResourceAnswer.brokerResource:
            try ConfigResourceAnswer.brokerChange(resourceName: resource.resourceName, names: names, nodeId: context.config.nodeId)
        default:
            throw ConfigResourceAnswer.unsupported(resource.resourceType)
        }
    }
}
