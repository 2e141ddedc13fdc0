import KafkaProtocol

/// InitProducerId, versions 0-4, for idempotent producers: hands out a new
/// producer id with epoch 0 every time, as Kafka does for a null
/// transactional id (a client asking to bump its epoch gets a new id, so no
/// client can fence another's id). Transactional ids are not supported.
struct InitProducerIdHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.initProducerId
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: InitProducerIdRequest, context: RequestContext) async throws -> InitProducerIdResponse? {
        var response = InitProducerIdResponse()
        response.producerId = -1
        response.producerEpoch = -1
        if request.transactionalId != nil {
            response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.code
            return response
        }
        let allocator = context.broker.producerIds
        do {
            response.producerId = try await context.io.run { try allocator.allocate() }
            response.producerEpoch = 0
        } catch {
            context.logger.error("cannot allocate a producer id", metadata: ["error": "\(error)"])
            response.errorCode = KafkaErrorCode.kafkaStorageError.code
        }
        return response
    }
}
