import KafkaProtocol
import KafkaSecurity

/// DescribeUserScramCredentials, version 0: each user's SCRAM mechanisms and
/// iterations (never salts or keys). No users named: every user. Needs
/// DESCRIBE on the cluster; a user without credentials answers
/// RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE.
struct DescribeUserScramCredentialsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.describeUserScramCredentials
    static let versions: ClosedRange<Int16> = 0...0

    func handle(_ request: DescribeUserScramCredentialsRequest, context: RequestContext) async throws -> DescribeUserScramCredentialsResponse? {
        var response = DescribeUserScramCredentialsResponse()
        response.errorMessage = nil
        guard context.isAuthorizedOnCluster(.describe) else {
            response.errorCode = KafkaErrorCode.clusterAuthorizationFailed.code
            response.errorMessage = "\(context.principal) may not describe the cluster"
            return response
        }
        let users = context.broker.credentials.users()
        let named = request.users?.map(\.name) ?? []
        let names = named.isEmpty ? users.keys.sorted() : named
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        response.results = names.map { name in
            var result = DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult()
            result.user = name
            result.errorMessage = nil
            if counts[name, default: 0] > 1 {
                result.errorCode = KafkaErrorCode.duplicateResource.code
                result.errorMessage = "Cannot describe SCRAM credentials for the same user twice in a single request: \(name)"
            } else if let credentials = users[name] {
                result.credentialInfos = credentials.sorted { $0.mechanism.kafkaCode < $1.mechanism.kafkaCode }.map { credential in
                    var info = DescribeUserScramCredentialsResponse.CredentialInfo()
                    info.mechanism = credential.mechanism.kafkaCode
                    info.iterations = Int32(clamping: credential.iterations)
                    return info
                }
            } else {
                result.errorCode = KafkaErrorCode.resourceNotFound.code
                result.errorMessage = "Attempt to describe a user credential that does not exist: \(name)"
            }
            return result
        }
        return response
    }
}
