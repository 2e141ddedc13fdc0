import KafkaProtocol
import KafkaSecurity

/// InitProducerId, versions 0-4. Without a transactional id (idempotent
/// producers) every call gets a new producer id at epoch 0, as Kafka does
/// for a null transactional id. With one, the transaction coordinator hands
/// out the id's producer id with its epoch bumped, fencing older instances
/// (`TransactionCoordinator.initProducerId`).
struct InitProducerIdHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.initProducerId
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: InitProducerIdRequest, context: RequestContext) async throws -> InitProducerIdResponse? {
        var response = InitProducerIdResponse()
        response.producerId = -1
        response.producerEpoch = -1
        if let transactionalId = request.transactionalId {
            guard context.isAuthorized(.write, .transactionalId, transactionalId) else {
                response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.code
                return response
            }
            let expected = context.header.apiVersion >= 3 && request.producerId >= 0 ? (request.producerId, request.producerEpoch) : nil
            do {
                let (producerId, epoch) = try await context.broker.transactions.initProducerId(
                    transactionalId: transactionalId, timeoutMs: request.transactionTimeoutMs, expected: expected,
                    fencedCode: context.fencedCode(since: 4))
                response.producerId = producerId
                response.producerEpoch = epoch
            } catch {
                context.logRefusal(error, transactionalId: transactionalId)
                response.errorCode = error.code.code
            }
            return response
        }
        // Idempotence: IDEMPOTENT_WRITE on the cluster, or WRITE on some topic (KIP-679).
        guard context.isAuthorizedOnCluster(.idempotentWrite) || context.isAuthorizedOnAny(.write, .topic) else {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.code
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
