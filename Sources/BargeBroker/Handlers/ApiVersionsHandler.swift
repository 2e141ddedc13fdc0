import KafkaProtocol

/// ApiVersions, versions 0-3: lists every API and version range the broker
/// serves. A version it does not know gets UNSUPPORTED_VERSION with the
/// ranges, encoded as v0, so that the client steps down (KIP-511).
struct ApiVersionsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.apiVersions
    static let versions: ClosedRange<Int16> = 0...3

    let advertised: [(KafkaApiKey, ClosedRange<Int16>)]

    func handle(_ request: ApiVersionsRequest, context: RequestContext) async throws -> ApiVersionsResponse? {
        Self.response(error: .none, ranges: advertised)
    }

    static func response(error: KafkaErrorCode, ranges: [(KafkaApiKey, ClosedRange<Int16>)]) -> ApiVersionsResponse {
        var response = ApiVersionsResponse()
        response.errorCode = error.code
        response.apiKeys = ranges.map { key, versions in
            var entry = ApiVersionsResponse.ApiVersion()
            entry.apiKey = key.rawValue
            entry.minVersion = versions.lowerBound
            entry.maxVersion = versions.upperBound
            return entry
        }
        return response
    }

    /// The answer to an ApiVersions request of a version above ours:
    /// UNSUPPORTED_VERSION with every range, encoded as v0.
    static func unsupportedVersionResponse(correlationId: Int32, ranges: [(KafkaApiKey, ClosedRange<Int16>)]) -> DispatchResult {
        let response = Self.response(error: .unsupportedVersion, ranges: ranges)
        do {
            return .respond(try KafkaFrame.response(response, apiKey: apiKey, version: 0, correlationId: correlationId))
        } catch {
            return .close(reason: "cannot encode ApiVersions v0: \(error)")
        }
    }
}
