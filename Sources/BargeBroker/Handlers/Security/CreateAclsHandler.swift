import KafkaProtocol
import KafkaSecurity

/// CreateAcls, versions 0-3 (PREFIXED patterns from v1): adds ACL bindings.
/// Needs ALTER on the cluster; each binding is checked as Kafka checks it
/// (INVALID_REQUEST with the reason), and the valid ones are stored together.
/// Without an authorizer every creation answers SECURITY_DISABLED.
struct CreateAclsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.createAcls
    static let versions: ClosedRange<Int16> = 0...3

    func handle(_ request: CreateAclsRequest, context: RequestContext) async throws -> CreateAclsResponse? {
        var response = CreateAclsResponse()
        if let (error, message) = AclWire.refusal(context, needs: .alter) {
            response.results = request.creations.map { _ in Self.result(error, message) }
            return response
        }
        var accepted: [AclBinding] = []
        var results: [CreateAclsResponse.AclCreationResult] = []
        for creation in request.creations {
            let binding = AclBinding(creation)
            do throws(AclError) {
                try binding.validateForCreation()
                accepted.append(binding)
                results.append(Self.result(.none, nil))
            } catch {
                results.append(Self.result(.invalidRequest, error.description))
            }
        }
        if !accepted.isEmpty, let acls = context.broker.acls {
            let bindings = accepted
            do {
                try await context.io.run { try acls.add(bindings) }
                context.logger.info("ACLs created", metadata: ["by": "\(context.principal)", "count": "\(accepted.count)"])
            } catch {
                context.logger.error("cannot store ACLs", metadata: ["error": "\(error)"])
                results = results.map { $0.errorCode == 0 ? Self.result(.kafkaStorageError, "the ACLs could not be stored: \(error)") : $0 }
            }
        }
        response.results = results
        return response
    }

    private static func result(_ error: KafkaErrorCode, _ message: String?) -> CreateAclsResponse.AclCreationResult {
        var result = CreateAclsResponse.AclCreationResult()
        result.errorCode = error.code
        result.errorMessage = message
        return result
    }
}
