import KafkaProtocol
import KafkaSecurity

/// FindCoordinator, versions 0-4: this single broker coordinates every group
/// (key type 0) and every transactional id (key type 1); other key types
/// are INVALID_REQUEST. librdkafka also takes this API's presence as the
/// sign that a broker supports LZ4 (and, before 2.x, gzip and snappy) batches.
struct FindCoordinatorHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.findCoordinator
    static let versions: ClosedRange<Int16> = 0...4

    static let groupKeyType: Int8 = 0
    static let transactionKeyType: Int8 = 1

    func handle(_ request: FindCoordinatorRequest, context: RequestContext) async throws -> FindCoordinatorResponse? {
        let version = context.header.apiVersion
        var response = FindCoordinatorResponse()
        let keys = version >= 4 ? request.coordinatorKeys : [request.key]
        let coordinators = keys.map { key in
            var coordinator = FindCoordinatorResponse.Coordinator()
            coordinator.key = key
            if request.keyType == Self.groupKeyType && !context.isAuthorized(.describe, .group, key) {
                coordinator.nodeId = -1
                coordinator.port = -1
                coordinator.errorCode = KafkaErrorCode.groupAuthorizationFailed.code
            } else if request.keyType == Self.transactionKeyType && !context.isAuthorized(.describe, .transactionalId, key) {
                coordinator.nodeId = -1
                coordinator.port = -1
                coordinator.errorCode = KafkaErrorCode.transactionalIdAuthorizationFailed.code
            } else if request.keyType == Self.groupKeyType || request.keyType == Self.transactionKeyType {
                coordinator.nodeId = context.config.nodeId
                coordinator.host = context.endpoint.advertisedHost
                coordinator.port = context.endpoint.advertisedPort
            } else {
                coordinator.nodeId = -1
                coordinator.port = -1
                coordinator.errorCode = KafkaErrorCode.invalidRequest.code
                coordinator.errorMessage = "unknown coordinator key type \(request.keyType)"
            }
            return coordinator
        }
        if version >= 4 {
            response.coordinators = coordinators
        } else if let only = coordinators.first {
            response.errorCode = only.errorCode
            if version >= 1 { response.errorMessage = only.errorMessage }
            response.nodeId = only.nodeId
            response.host = only.host
            response.port = only.port
        }
        return response
    }
}
