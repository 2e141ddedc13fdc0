import KafkaProtocol
import KafkaSecurity

/// DeleteAcls, versions 0-3: removes the bindings each filter matches and
/// lists them per filter. Needs ALTER on the cluster; SECURITY_DISABLED
/// without an authorizer; a filter with an UNKNOWN field answers INVALID_REQUEST.
struct DeleteAclsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.deleteAcls
    static let versions: ClosedRange<Int16> = 0...3

    func handle(_ request: DeleteAclsRequest, context: RequestContext) async throws -> DeleteAclsResponse? {
        var response = DeleteAclsResponse()
        if let (error, message) = AclWire.refusal(context, needs: .alter) {
            response.filterResults = request.filters.map { _ in Self.result(error, message) }
            return response
        }
        var valid: [(position: Int, filter: AclBindingFilter)] = []
        var results = request.filters.map { _ in Self.result(.none, nil) }
        for (position, wire) in request.filters.enumerated() {
            let filter = AclBindingFilter(wire)
            do throws(AclError) {
                try filter.validate()
                valid.append((position, filter))
            } catch {
                results[position] = Self.result(.invalidRequest, error.description)
            }
        }
        if let acls = context.broker.acls, !valid.isEmpty {
            let filters = valid.map(\.filter)
            do {
                let removed = try await context.io.run { try acls.remove(matching: filters) }
                for ((position, _), bindings) in zip(valid, removed) {
                    results[position].matchingAcls = bindings.map(DeleteAclsResponse.DeleteAclsMatchingAcl.init)
                }
                let count = Set(removed.joined()).count
                if count > 0 { context.logger.info("ACLs deleted", metadata: ["by": "\(context.principal)", "count": "\(count)"]) }
            } catch {
                context.logger.error("cannot store ACLs", metadata: ["error": "\(error)"])
                for (position, _) in valid { results[position] = Self.result(.kafkaStorageError, "the ACLs could not be stored: \(error)") }
            }
        }
        response.filterResults = results
        return response
    }

    private static func result(_ error: KafkaErrorCode, _ message: String?) -> DeleteAclsResponse.DeleteAclsFilterResult {
        var result = DeleteAclsResponse.DeleteAclsFilterResult()
        result.errorCode = error.code
        result.errorMessage = message
        return result
    }
}
