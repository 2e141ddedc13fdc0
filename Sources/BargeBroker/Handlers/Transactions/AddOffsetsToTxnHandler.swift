import KafkaProtocol
import KafkaSecurity

/// AddOffsetsToTxn, versions 0-4: lets the producer send a group's offsets
/// to its transaction (TxnOffsetCommit), committed with it.
struct AddOffsetsToTxnHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.addOffsetsToTxn
    static let versions: ClosedRange<Int16> = 0...4

    func handle(_ request: AddOffsetsToTxnRequest, context: RequestContext) async throws -> AddOffsetsToTxnResponse? {
        var response = AddOffsetsToTxnResponse()
        if !context.isAuthorized(.write, .transactionalId, request.transactionalId) {
            response.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.code
            return response
        }
        if !context.isAuthorized(.read, .group, request.groupId) {
            response.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
            return response
        }
        response.errorCode = await context.errorCode(transactionalId: request.transactionalId) { () throws(TransactionRefusal) in
            try await context.broker.transactions.addOffsets(
                transactionalId: request.transactionalId, producerId: request.producerId, epoch: request.producerEpoch,
                group: request.groupId, fencedCode: context.fencedCode(since: 2))
        }
        return response
    }
}
