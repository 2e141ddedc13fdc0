import KafkaProtocol
import KafkaSecurity

/// What AlterConfigs and IncrementalAlterConfigs share: the resource types,
/// the checks Kafka makes before any change (duplicate keys, the broker's
/// id), and the answer for the broker's own settings.
enum ConfigResourceAnswer {
    /// The error code and message of one resource's change: none when
    /// `change` succeeds, the topic error's when it refuses.
    static func outcome(_ change: () async throws -> Void) async throws -> (code: Int16, message: String?) {
        do {
            try await change()
            return (0, nil)
        } catch let error as TopicError {
            return (error.code.code, error.message)
        }
    }

    static let topicResource: Int8 = 2
    static let brokerResource: Int8 = 4

    /// INVALID_REQUEST when a config name appears twice (IncrementalAlterConfigs).
    static func checkUniqueNames(_ names: [String]) throws(TopicError) {
        guard Set(names).count == names.count else {
            throw TopicError(code: .invalidRequest, message: "Error due to duplicate config keys")
        }
    }

    /// The answer for a change of broker settings. The settings this broker
    /// reads (`BrokerConfig`'s names, the `log.*` topic defaults) are read
    /// only at start: a change of any is INVALID_REQUEST, as Kafka answers for
    /// its static configs. Other names (Kafka's SASL, SSL, quota and other
    /// dynamic settings, which this broker does not use) are accepted with no
    /// effect, as Kafka stores dynamic settings it does not use.
    static func brokerChange(resourceName: String, names: [String], nodeId: Int32) throws(TopicError) {
        if !resourceName.isEmpty {
            guard let id = Int32(resourceName) else {
                throw TopicError(code: .invalidRequest, message: "Node id must be an integer, but it is: \(resourceName)")
            }
            guard id == nodeId else {
                throw TopicError(code: .invalidRequest, message: "Unexpected broker id, expected \(nodeId), but received \(resourceName)")
            }
        }
        let used = names.filter { BrokerConfig.knownNames.contains($0) || BrokerConfig.topicDefaultNames[$0] != nil }
        guard used.isEmpty else {
            throw TopicError(code: .invalidRequest,
                             message: "Cannot update these configs dynamically: Set(\(used.joined(separator: ", "))) (the embedded broker reads its settings at start: change server.properties or --set and restart it)")
        }
    }

    /// TOPIC_AUTHORIZATION_FAILED or CLUSTER_AUTHORIZATION_FAILED when the
    /// client may not do `operation` (DESCRIBE_CONFIGS, ALTER_CONFIGS) on the
    /// topic or on the cluster (for the broker's settings); nil otherwise.
    static func refusal(_ operation: AclOperation, _ type: Int8, _ name: String, context: RequestContext) -> TopicError? {
        switch type {
        case topicResource where !context.isAuthorized(operation, .topic, name):
            return TopicError(code: .topicAuthorizationFailed, message: "\(context.principal) may not \(operation.name) topic '\(name)'")
        case brokerResource where !context.isAuthorizedOnCluster(operation):
            return TopicError(code: .clusterAuthorizationFailed, message: "\(context.principal) may not \(operation.name) the cluster")
        default:
            return nil
        }
    }

    /// INVALID_REQUEST for a resource type other than topic and broker.
    static func unsupported(_ type: Int8) -> TopicError {
        TopicError(code: .invalidRequest, message: "Unknown resource type \(type)")
    }
}
