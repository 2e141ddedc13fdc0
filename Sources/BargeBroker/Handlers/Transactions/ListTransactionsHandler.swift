import Foundation
import KafkaProtocol
import KafkaSecurity

/// ListTransactions, versions 0-1 (`kafka-transactions.sh list`): every
/// transactional id with its producer id and state, filtered by state names
/// (unknown names are echoed back in `unknownStateFilters`), producer ids
/// and, from v1, transactions running longer than `durationFilter` ms.
struct ListTransactionsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.listTransactions
    static let versions: ClosedRange<Int16> = 0...1

    func handle(_ request: ListTransactionsRequest, context: RequestContext) async throws -> ListTransactionsResponse? {
        var response = ListTransactionsResponse()
        let known = Set(TransactionState.allCases.map(\.kafkaName))
        response.unknownStateFilters = request.stateFilters.filter { !known.contains($0) }
        let states = Set(request.stateFilters)
        let producers = Set(request.producerIdFilters)
        let now = Date.nowMilliseconds
        for metadata in await context.broker.transactions.all {
            if !states.isEmpty && !states.contains(metadata.state.kafkaName) { continue }
            if !producers.isEmpty && !producers.contains(metadata.producerId) { continue }
            if !context.isAuthorized(.describe, .transactionalId, metadata.transactionalId) { continue }
            if request.durationFilter >= 0 && !(metadata.state == .ongoing && now - metadata.startTimestamp > request.durationFilter) { continue }
            var entry = ListTransactionsResponse.TransactionState()
            entry.transactionalId = metadata.transactionalId
            entry.producerId = metadata.producerId
            entry.transactionState = metadata.state.kafkaName
            response.transactionStates.append(entry)
        }
        return response
    }
}
