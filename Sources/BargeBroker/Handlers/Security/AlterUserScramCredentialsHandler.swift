import KafkaProtocol
import KafkaSecurity

/// AlterUserScramCredentials, version 0: adds, replaces and deletes users'
/// SCRAM credentials, which arrive salted (the client never sends the
/// password). Needs ALTER on the cluster. Each user's changes are checked as
/// Kafka checks them (a known mechanism, 4096-16384 iterations, a salt and a
/// salted password, a user named in one change per mechanism, deletions of
/// credentials that exist) and answered per user; the valid ones are stored together.
struct AlterUserScramCredentialsHandler: KafkaRequestHandler {
    static let apiKey = KafkaApiKey.alterUserScramCredentials
    static let versions: ClosedRange<Int16> = 0...0

    func handle(_ request: AlterUserScramCredentialsRequest, context: RequestContext) async throws -> AlterUserScramCredentialsResponse? {
        var response = AlterUserScramCredentialsResponse()
        let users = Self.orderedUsers(request)
        guard context.isAuthorizedOnCluster(.alter) else {
            response.results = users.map { Self.result($0, .clusterAuthorizationFailed, "\(context.principal) may not alter the cluster") }
            return response
        }
        let store = context.broker.credentials
        var errors: [String: (KafkaErrorCode, String)] = [:]
        var changes: [String: [ScramCredentialStore.Change]] = [:]
        var seen: Set<String> = []
        func check(_ user: String, _ code: Int8) -> ScramMechanism? {
            if user.isEmpty { errors[user] = (.unacceptableCredential, "Username must not be empty"); return nil }
            guard let mechanism = ScramMechanism(kafkaCode: code) else {
                errors[user] = (.unsupportedSaslMechanism, "Unknown SCRAM mechanism \(code)")
                return nil
            }
            guard seen.insert("\(user)\u{0}\(code)").inserted else {
                errors[user] = (.duplicateResource, "A user credential cannot be altered twice in the same request")
                return nil
            }
            return mechanism
        }
        for deletion in request.deletions {
            guard let mechanism = check(deletion.name, deletion.mechanism) else { continue }
            guard store.credential(user: deletion.name, mechanism: mechanism) != nil else {
                errors[deletion.name] = (.resourceNotFound, "Attempt to delete a user credential that does not exist")
                continue
            }
            changes[deletion.name, default: []].append(.delete(user: deletion.name, mechanism))
        }
        for upsertion in request.upsertions {
            guard let mechanism = check(upsertion.name, upsertion.mechanism) else { continue }
            let iterations = Int(upsertion.iterations)
            guard (ScramMechanism.minimumIterations...ScramMechanism.maximumIterations).contains(iterations) else {
                errors[upsertion.name] = (.unacceptableCredential,
                    "Iterations \(iterations) must be from \(ScramMechanism.minimumIterations) to \(ScramMechanism.maximumIterations)")
                continue
            }
            let salt = Array(upsertion.salt.readableBytesView)
            let saltedPassword = Array(upsertion.saltedPassword.readableBytesView)
            guard !salt.isEmpty, !saltedPassword.isEmpty else {
                errors[upsertion.name] = (.unacceptableCredential, "Credential must have a salt and a salted password")
                continue
            }
            let credential = ScramCredential(mechanism: mechanism, saltedPassword: saltedPassword, salt: salt, iterations: iterations)
            changes[upsertion.name, default: []].append(.upsert(user: upsertion.name, credential))
        }
        let accepted = changes.filter { errors[$0.key] == nil }.sorted { $0.key < $1.key }.flatMap(\.value)
        if !accepted.isEmpty {
            do {
                try await context.io.run { try store.apply(accepted) }
                context.logger.info("SCRAM credentials changed", metadata: ["by": "\(context.principal)", "changes": "\(accepted.count)"])
            } catch {
                context.logger.error("cannot store SCRAM credentials", metadata: ["error": "\(error)"])
                for user in changes.keys where errors[user] == nil { errors[user] = (.kafkaStorageError, "the credentials could not be stored") }
            }
        }
        response.results = users.map { user in
            guard let (code, message) = errors[user] else { return Self.result(user, .none, nil) }
            return Self.result(user, code, message)
        }
        return response
    }

    /// Every user the request names, once, in order.
    private static func orderedUsers(_ request: AlterUserScramCredentialsRequest) -> [String] {
        var seen: Set<String> = []
        return (request.deletions.map(\.name) + request.upsertions.map(\.name)).filter { seen.insert($0).inserted }
    }

    private static func result(_ user: String, _ error: KafkaErrorCode, _ message: String?) -> AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult {
        var result = AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult()
        result.user = user
        result.errorCode = error.code
        result.errorMessage = message
        return result
    }
}
