import KafkaProtocol
import KafkaSecurity

/// DeleteTopics, versions 0-6: by name (v0-5 `topicNames`, v6 `topics`) or,
/// from v6, by topic id. Deletes the topic's logs and metadata.
struct DeleteTopicsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.deleteTopics
    static let versions: ClosedRange<Int16> = 0...6

    func handle(_ request: DeleteTopicsRequest, context: RequestContext) async throws -> DeleteTopicsResponse? {
        var response = DeleteTopicsResponse()
        let targets: [(name: String?, id: KafkaUUID)] = context.header.apiVersion >= 6
            ? request.topics.map { ($0.name, $0.topicId) }
            : request.topicNames.map { ($0, KafkaUUID.zero) }
        for target in targets {
            var result = DeletableTopicResult(name: target.name, topicId: target.id)
            let name = target.name ?? context.topics.topic(id: target.id)?.name
            guard let name else {
                result.errorCode = KafkaErrorCode.unknownTopicId.code
                result.errorMessage = "no topic has id \(target.id)"
                response.responses.append(result)
                continue
            }
            guard context.isAuthorized(.delete, .topic, name) else {
                result.errorCode = KafkaErrorCode.topicAuthorizationFailed.code
                result.errorMessage = "\(context.principal) may not delete topic '\(name)'"
                response.responses.append(result)
                continue
            }
            result.topicId = context.topics.topic(named: name)?.id ?? target.id
            let topics = context.topics
            do {
                let offsets = context.broker.offsets
                try await context.io.run {
                    try topics.deleteTopic(named: name)
                    // Committed offsets of a deleted topic go with it.
                    _ = try? offsets.removeTopic(name)
                }
            } catch let error as TopicError {
                result.errorCode = error.code.code
                result.errorMessage = error.message
            } catch {
                let failure = TopicError.storageFailure("deleting topic '\(name)'", error, logger: context.logger)
                result.errorCode = failure.code.code
                result.errorMessage = failure.message
            }
            response.responses.append(result)
        }
        return response
    }
}

private typealias DeletableTopicResult = DeleteTopicsResponse.DeletableTopicResult

extension DeleteTopicsResponse.DeletableTopicResult {
    fileprivate init(name: String?, topicId: KafkaUUID) {
        self.init()
        self.name = name
        self.topicId = topicId
    }
}
