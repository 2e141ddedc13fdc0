import FileIO
import Foundation
import KafkaSecurity
import NIOConcurrencyHelpers

/// The SCRAM credentials of the broker's users (salt, stored key, server key
/// and iterations per user and mechanism: never a password), kept in
/// `<log.dirs>/__security/scram-credentials.json` and replaced atomically on
/// each change. SASL/PLAIN logins are checked against the same credentials.
final class ScramCredentialStore: Sendable {
    /// Where the file lives, below the data directory.
    static let fileName = "__security/scram-credentials.json"

    private struct Contents: Codable, Sendable {
        var version = 1
        var users: [String: [ScramCredential]] = [:]
    }

    private let path: String
    private let fileSystem: any FileSystemIO
    private let contents: NIOLockedValueBox<Contents>

    /// Loads the credentials of the broker in `dataDirectory` (none if the file does not exist).
    init(dataDirectory: String, fileSystem: any FileSystemIO) throws {
        path = dataDirectory + "/" + Self.fileName
        self.fileSystem = fileSystem
        contents = NIOLockedValueBox(try Self.load(path, fileSystem: fileSystem))
    }

    /// The credential of `user` for `mechanism`, if there is one.
    func credential(user: String, mechanism: ScramMechanism) -> ScramCredential? {
        contents.withLockedValue { $0.users[user]?.first { $0.mechanism == mechanism } }
    }

    /// Whether `password` is `user`'s (checked against any of the user's SCRAM
    /// credentials). An unknown user costs the same work as a wrong password,
    /// so that timing does not tell which users exist.
    func verify(user: String, password: String) -> Bool {
        guard let credential = contents.withLockedValue({ $0.users[user]?.first }) else {
            _ = Self.stranger.matches(password: password)
            return false
        }
        return credential.matches(password: password)
    }

    /// A credential no password matches, checked for unknown users.
    private static let stranger = ScramCredential(
        mechanism: .sha512, password: ScramServerExchange.randomNonce(), salt: ScramCredential.randomSalt(),
        iterations: ScramMechanism.minimumIterations)

    /// Every user with the mechanisms and iterations of their credentials, by name.
    func users() -> [String: [ScramCredential]] {
        contents.withLockedValue { $0.users }
    }

    /// One change: set a user's credential for a mechanism, or remove it.
    enum Change: Sendable {
        case upsert(user: String, ScramCredential)
        case delete(user: String, ScramMechanism)
    }

    /// Applies the changes together and writes the file durably; on a write
    /// failure nothing changes. Blocking: call it on the I/O pool.
    func apply(_ changes: [Change]) throws {
        try contents.withLockedValue { current in
            var updated = current
            for change in changes {
                switch change {
                case .upsert(let user, let credential):
                    updated.users[user, default: []].removeAll { $0.mechanism == credential.mechanism }
                    updated.users[user, default: []].append(credential)
                case .delete(let user, let mechanism):
                    updated.users[user]?.removeAll { $0.mechanism == mechanism }
                    if updated.users[user]?.isEmpty == true { updated.users[user] = nil }
                }
            }
            try DurableFile(fileSystem: fileSystem).writeJSON(updated, to: path)
            current = updated
        }
    }

    private static func load(_ path: String, fileSystem: any FileSystemIO) throws -> Contents {
        guard let bytes = try fileSystem.readWholeFile(path, limit: 64 << 20) else { return Contents() }
        do {
            return try JSONDecoder().decode(Contents.self, from: Data(bytes))
        } catch {
            throw BrokerConfigError("\(path) is not a credentials file Barge can read: \(error)")
        }
    }
}
