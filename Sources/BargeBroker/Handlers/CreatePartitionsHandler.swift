import KafkaProtocol
import KafkaSecurity

/// CreatePartitions, versions 0-3: grows a topic to `count` partitions
/// (never shrinks it: INVALID_PARTITIONS), persisted before it is answered;
/// `validateOnly` checks without changing. Assignments, when given, must
/// name one per new partition, each on this broker alone
/// (INVALID_REPLICA_ASSIGNMENT otherwise). A topic named twice gets INVALID_REQUEST.
struct CreatePartitionsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.createPartitions
    static let versions: ClosedRange<Int16> = 0...3

    func handle(_ request: CreatePartitionsRequest, context: RequestContext) async throws -> CreatePartitionsResponse? {
        var response = CreatePartitionsResponse()
        let names = request.topics.map(\.name)
        let repeated = Set(names.filter { name in names.filter { $0 == name }.count > 1 })
        for topic in request.topics {
            var result = CreatePartitionsResponse.CreatePartitionsTopicResult()
            result.name = topic.name
            do {
                guard !repeated.contains(topic.name) else {
                    throw TopicError(code: .invalidRequest, message: "Duplicate topic name.")
                }
                guard context.isAuthorized(.alter, .topic, topic.name) else {
                    throw TopicError(code: .topicAuthorizationFailed, message: "\(context.principal) may not alter topic '\(topic.name)'")
                }
                try await grow(topic, validateOnly: request.validateOnly, context: context)
            } catch let error as TopicError {
                result.errorCode = error.code.code
                result.errorMessage = error.message
            }
            response.results.append(result)
        }
        return response
    }

    private func grow(_ request: CreatePartitionsRequest.CreatePartitionsTopic, validateOnly: Bool, context: RequestContext) async throws {
        guard let topic = context.topics.topic(named: request.name) else {
            throw TopicError(code: .unknownTopicOrPartition, message: "topic '\(request.name)' does not exist")
        }
        if let assignments = request.assignments {
            let added = Int(request.count) - Int(topic.metadata.partitionCount)
            guard added <= 0 || assignments.count == added else {
                throw TopicError(code: .invalidReplicaAssignment,
                                 message: "Attempted to add \(added) additional partition(s), but only \(assignments.count) assignment(s) were specified.")
            }
            let nodeId = context.config.nodeId
            guard assignments.allSatisfy({ $0.brokerIds == [nodeId] }) else {
                throw TopicError(code: .invalidReplicaAssignment, message: "each new partition must be assigned to broker \(nodeId) alone: this broker is a single node")
            }
        }
        let (topics, name, count) = (context.topics, request.name, request.count)
        _ = try await context.io.run { try topics.addPartitions(toTopic: name, count: count, validateOnly: validateOnly) }
    }
}
