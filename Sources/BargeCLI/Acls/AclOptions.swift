import ArgumentParser
import KafkaSecurity

/// The resource an ACL names: `--topic`, `--group`, `--transactional-id` or
/// `--cluster`, and how its name is read (`--resource-pattern-type`).
struct AclResourceOptions: ParsableArguments {
    @Option(name: .long, help: "A topic name (or prefix, or * for every topic).")
    var topic: String?

    @Option(name: .long, help: "A consumer group name (or prefix, or *).")
    var group: String?

    @Option(name: .long, help: "A transactional id (or prefix, or *).")
    var transactionalId: String?

    @Flag(name: .long, help: "The cluster itself (create topics, manage ACLs and users, idempotent writes).")
    var cluster = false

    @Option(name: .long, help: "literal or prefixed (add); also any or match (list, remove).")
    var resourcePatternType: String?

    /// The named resource: type and name, nil when none is named.
    func resource() throws -> (AclResourceType, String)? {
        let named = [(AclResourceType.topic, topic), (.group, group), (.transactionalId, transactionalId)]
            .compactMap { type, name in name.map { (type, $0) } } + (cluster ? [(.cluster, "kafka-cluster")] : [])
        guard named.count <= 1 else {
            throw ValidationError("name one resource: --topic, --group, --transactional-id or --cluster")
        }
        return named.first
    }

    /// The pattern type, `fallback` when not given.
    func patternType(default fallback: AclPatternType) throws -> AclPatternType {
        guard let text = resourcePatternType else { return fallback }
        guard let type = AclPatternType(name: text), type != .unknown else {
            throw ValidationError("--resource-pattern-type must be literal, prefixed, any or match, not '\(text)'")
        }
        return type
    }
}

/// `--operation` values, parsed as Kafka names them (Read, Write, DescribeConfigs, ...).
func aclOperations(_ names: [String]) throws -> [AclOperation] {
    try names.map { name in
        guard let operation = AclOperation(name: name), operation != .unknown, operation != .any else {
            throw ValidationError("--operation must be one of All, Read, Write, Create, Delete, Alter, Describe, ClusterAction, "
                + "DescribeConfigs, AlterConfigs, IdempotentWrite, not '\(name)'")
        }
        return operation
    }
}

/// A binding as one text line: `User:alice ALLOW READ on TOPIC orders (LITERAL) from *`.
func aclLine(_ binding: AclBinding) -> String {
    "\(binding.principal) \(binding.permission.name) \(binding.operation.name) on \(binding.resourceType.name) "
        + "\(binding.resourceName) (\(binding.patternType.name)) from \(binding.host)"
}

/// A binding as `--json` prints it.
struct ListedAcl: Encodable {
    let principal, permission, operation, resourceType, resourceName, patternType, host: String

    init(_ binding: AclBinding) {
        (principal, permission, operation) = (binding.principal, binding.permission.name, binding.operation.name)
        (resourceType, resourceName, patternType, host) = (binding.resourceType.name, binding.resourceName, binding.patternType.name, binding.host)
    }
}
