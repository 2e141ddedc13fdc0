import KafkaProtocol
import KafkaSecurity

/// AlterConfigs, versions 0-2: replaces the whole set of a topic's config
/// overrides (Kafka's semantics: a config not named goes back to its
/// default), checked as a whole, persisted, and applied live to every
/// partition; `validateOnly` checks without changing. A name given twice
/// takes its last value. The broker's own
/// settings cannot change while it runs (`ConfigResourceAnswer.brokerChange`).
struct AlterConfigsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.alterConfigs
    static let versions: ClosedRange<Int16> = 0...2

    func handle(_ request: AlterConfigsRequest, context: RequestContext) async throws -> AlterConfigsResponse? {
        var response = AlterConfigsResponse()
        for resource in request.resources {
            var result = AlterConfigsResponse.AlterConfigsResourceResponse()
            result.resourceType = resource.resourceType
            result.resourceName = resource.resourceName
            (result.errorCode, result.errorMessage) = try await ConfigResourceAnswer.outcome {
                try await alter(resource, validateOnly: request.validateOnly, context: context)
            }
            response.responses.append(result)
        }
        return response
    }

    private func alter(_ resource: AlterConfigsRequest.AlterConfigsResource, validateOnly: Bool, context: RequestContext) async throws {
        if let denied = ConfigResourceAnswer.refusal(.alterConfigs, resource.resourceType, resource.resourceName, context: context) {
            throw denied
        }
        let names = resource.configs.map(\.name)
        var overrides: [String: String] = [:]
        for config in resource.configs {
            guard let value = config.value else {
                throw TopicError(code: .invalidRequest, message: "Null value not supported for : \(config.name)")
            }
            // A name given twice: the last value wins, as on Kafka's ZooKeeper-mode
            // brokers (librdkafka's test helper resends every described config
            // followed by the one it changes).
            overrides[config.name] = value
        }
        switch resource.resourceType {
        case ConfigResourceAnswer.topicResource:
            let (topics, name, replacement) = (context.topics, resource.resourceName, overrides)
            _ = try await context.io.run {
                try topics.alterConfigs(ofTopic: name, validateOnly: validateOnly) { _, _ in replacement }
            }
        case ConfigResourceAnswer.brokerResource:
            try ConfigResourceAnswer.brokerChange(resourceName: resource.resourceName, names: names, nodeId: context.config.nodeId)
        default:
            throw ConfigResourceAnswer.unsupported(resource.resourceType)
        }
    }
}
