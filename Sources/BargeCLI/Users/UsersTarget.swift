import ArgumentParser
import BargeBroker
import KafkaProtocol
import KafkaSecurity
import KafkaWireClient

/// Where `barge users` makes its changes: a stopped broker's data directory
/// (`--data-dir`), else a running broker through AlterUserScramCredentials
/// and DescribeUserScramCredentials (`--bootstrap-servers` and the security
/// flags; needs ALTER, or DESCRIBE to list, on the cluster).
struct UsersTarget: ParsableArguments {
    @Option(name: .long, help: "The data directory (log.dirs) of a stopped broker, instead of a running one.")
    var dataDir: String?

    @OptionGroup var connection: KafkaConnectionOptions

    /// One user's mechanisms and iterations.
    typealias Credentials = [(mechanism: ScramMechanism, iterations: Int)]

    func setPassword(user: String, password: String, mechanisms: [ScramMechanism], iterations: Int) async throws {
        if let dataDir {
            try offline { try ScramUsers.setPassword(user: user, password: password, mechanisms: mechanisms, iterations: iterations, dataDirectory: dataDir) }
            return
        }
        var request = AlterUserScramCredentialsRequest()
        request.upsertions = mechanisms.map { mechanism in
            var upsertion = AlterUserScramCredentialsRequest.ScramCredentialUpsertion()
            let salt = ScramCredential.randomSalt()
            (upsertion.name, upsertion.mechanism, upsertion.iterations) = (user, mechanism.kafkaCode, Int32(iterations))
            upsertion.salt.writeBytes(salt)
            upsertion.saltedPassword.writeBytes(mechanism.saltedPassword(password, salt: salt, iterations: iterations))
            return upsertion
        }
        try await alter(request, what: "set the password of \(user)")
    }

    /// Deletes every credential of `user`; false if it had none.
    func delete(user: String) async throws -> Bool {
        if let dataDir {
            var existed = false
            try offline { existed = try ScramUsers.delete(user: user, dataDirectory: dataDir) }
            return existed
        }
        guard let credentials = try await list(only: user)[user], !credentials.isEmpty else { return false }
        var request = AlterUserScramCredentialsRequest()
        request.deletions = credentials.map { credential in
            var deletion = AlterUserScramCredentialsRequest.ScramCredentialDeletion()
            (deletion.name, deletion.mechanism) = (user, credential.mechanism.kafkaCode)
            return deletion
        }
        try await alter(request, what: "delete \(user)")
        return true
    }

    /// Every user (or only `user`) with its mechanisms and iterations.
    func list(only user: String? = nil) async throws -> [String: Credentials] {
        if let dataDir {
            var users: [String: Credentials] = [:]
            try offline {
                users = try ScramUsers.list(dataDirectory: dataDir).mapValues { $0.map { (mechanism: $0.0, iterations: $0.1) } }
            }
            return user.map { name in users.filter { $0.key == name } } ?? users
        }
        var request = DescribeUserScramCredentialsRequest()
        request.users = user.map { name in
            var entry = DescribeUserScramCredentialsRequest.UserName()
            entry.name = name
            return [entry]
        }
        var users: [String: Credentials] = [:]
        try await WireAdmin(connection: try connection.resolve()).run { wire in
            let response = try await wire.request(
                request, apiKey: .describeUserScramCredentials, version: 0, as: DescribeUserScramCredentialsResponse.self)
            try WireAdmin.check(response.errorCode, response.errorMessage, what: "list users")
            for result in response.results where result.errorCode != KafkaErrorCode.resourceNotFound.code {
                try WireAdmin.check(result.errorCode, result.errorMessage, what: "describe \(result.user)")
                users[result.user] = result.credentialInfos.compactMap { info in
                    ScramMechanism(kafkaCode: info.mechanism).map { (mechanism: $0, iterations: Int(info.iterations)) }
                }
            }
        }
        return users
    }

    private func alter(_ request: AlterUserScramCredentialsRequest, what: String) async throws {
        try await WireAdmin(connection: try connection.resolve()).run { wire in
            let response = try await wire.request(
                request, apiKey: .alterUserScramCredentials, version: 0, as: AlterUserScramCredentialsResponse.self)
            for result in response.results {
                try WireAdmin.check(result.errorCode, result.errorMessage, what: what)
            }
        }
    }

    /// Runs a change of a stopped broker's stored users; failures end in one `Error:` line.
    private func offline(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw CommandFailure("cannot change the users in \(dataDir ?? ""): \(error)")
        }
    }
}
