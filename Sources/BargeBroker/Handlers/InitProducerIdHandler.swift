import KafkaProtocol

/// InitProducerId, versions 0-4, for idempotent producers: hands out a new
/// producer id with epoch 0, or, when a client (v3+) passes its current id
/// and epoch, bumps the epoch. Transactional ids are not supported.
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
        if request.producerId >= 0 && request.producerEpoch >= 0 && request.producerEpoch < Int16.max - 1 {
            response.producerId = request.producerId
            response.producerEpoch = request.producerEpoch + 1
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
