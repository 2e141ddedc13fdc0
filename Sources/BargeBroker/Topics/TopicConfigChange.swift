import KafkaLog

/// IncrementalAlterConfigs' operations on a topic's overrides, as Kafka's
/// `ConfigAdminManager.prepareIncrementalConfigs` performs them: SET and
/// DELETE on any config, APPEND and SUBTRACT on list configs
/// (`cleanup.policy`, the replication throttles) starting from the value in
/// effect. The result is checked as a whole afterwards (`TopicRegistry.alterConfigs`).
struct TopicConfigChange: Sendable {
    /// Kafka's `AlterConfigOp.OpType` codes.
    enum Operation: Int8, Sendable {
        case set = 0, delete = 1, append = 2, subtract = 3
    }

    let name: String
    let operation: Operation
    let value: String?

    /// Reads one requested change; INVALID_REQUEST for an unknown operation or a null value to set.
    init(name: String, operation code: Int8, value: String?) throws(TopicError) {
        guard let operation = Operation(rawValue: code) else {
            throw TopicError(code: .invalidRequest, message: "Unknown operations type \(code)")
        }
        if operation != .delete && value == nil {
            throw TopicError(code: .invalidRequest, message: "Null value not supported for : \(name)")
        }
        self.name = name
        self.operation = operation
        self.value = value
    }

    /// The overrides after `changes`, in order; `config` is the config in effect (for APPEND and SUBTRACT).
    static func apply(_ changes: [TopicConfigChange], to overrides: [String: String], config: LogConfig) throws(TopicError) -> [String: String] {
        var result = overrides
        for change in changes {
            let value = change.value ?? ""
            switch change.operation {
            case .set:
                result[change.name] = value
            case .delete:
                result.removeValue(forKey: change.name)
            case .append, .subtract:
                guard let type = LogConfig.valueType(of: change.name) else {
                    throw TopicError(code: .invalidConfig, message: "Unknown config name: \(change.name)")
                }
                guard type == .list else {
                    let verb = change.operation == .append ? "append" : "subtract"
                    throw TopicError(code: .invalidConfig, message: "Config value \(verb) is not allowed for config key: \(change.name)")
                }
                let current = LogConfig.listElements(result[change.name] ?? config.value(of: change.name) ?? "")
                let given = LogConfig.listElements(value)
                let updated = change.operation == .append
                    ? current + given.filter { !current.contains($0) }
                    : current.filter { !given.contains($0) }
                result[change.name] = updated.joined(separator: ",")
            }
        }
        return result
    }
}
