import KafkaProtocol
import KafkaSecurity

/// EndTxn, versions 0-4: commits or aborts the producer's transaction. The
/// answer comes once the decision is durable and the markers are written
/// (or, if a partition refused them, once they are retried in the background).
struct EndTxnHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.endTxn
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: EndTxnRequest, context: RequestContext) async throws -> EndTxnResponse? {
        var response = EndTxnResponse()
        if !context.isAuthorized(.write, .transactionalId, request.transactionalId) {
            response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.code
            return response
        }
        response.errorCode = await context.errorCode(transactionalId: request.transactionalId) { () throws(TransactionRefusal) in
            try await context.broker.transactions.endTransaction(
                transactionalId: request.transactionalId, producerId: request.producerId, epoch: request.producerEpoch,
                commit: request.committed, fencedCode: context.fencedCode(since: 2))
        }
        return response
    }
}
