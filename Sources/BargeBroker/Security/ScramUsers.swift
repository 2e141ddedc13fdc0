import FileIO
import KafkaSecurity

/// The SCRAM users of a stopped broker's data directory, changed in place
/// under the data directory's lock (refused while a broker runs on it):
/// how the first user gets in before any client can log in (as Kafka's
/// `kafka-storage format --add-scram`), for `barge users --data-dir`. A
/// running broker reads the file only at start; change its users with
/// AlterUserScramCredentials (`barge users` with `--bootstrap-servers`).
public enum ScramUsers {
    /// Sets `user`'s password for each mechanism (a new random salt each),
    /// keeping only its salted keys.
    public static func setPassword(
        user: String, password: String, mechanisms: [ScramMechanism] = ScramMechanism.allCases,
        iterations: Int = ScramMechanism.minimumIterations, dataDirectory: String, fileSystem: any FileSystemIO = PosixFileSystem()
    ) throws {
        let lock = try lockStopped(dataDirectory, fileSystem: fileSystem)
        defer { lock.release() }
        let changes = mechanisms.map { mechanism in
            ScramCredentialStore.Change.upsert(user: user, ScramCredential(
                mechanism: mechanism, password: password, salt: ScramCredential.randomSalt(), iterations: iterations))
        }
        try ScramCredentialStore(dataDirectory: dataDirectory, fileSystem: fileSystem).apply(changes)
    }

    /// Removes every credential of `user`; false if there was none.
    @discardableResult
    public static func delete(user: String, dataDirectory: String, fileSystem: any FileSystemIO = PosixFileSystem()) throws -> Bool {
        let lock = try lockStopped(dataDirectory, fileSystem: fileSystem)
        defer { lock.release() }
        let store = try ScramCredentialStore(dataDirectory: dataDirectory, fileSystem: fileSystem)
        guard let credentials = store.users()[user] else { return false }
        try store.apply(credentials.map { .delete(user: user, $0.mechanism) })
        return true
    }

    /// The data directory's lock, which a running broker holds: it reads the
    /// users only at start and would keep them as they were.
    private static func lockStopped(_ dataDirectory: String, fileSystem: any FileSystemIO) throws -> DataDirectoryLock {
        do {
            return try DataDirectoryLock.acquire(dataDirectory, fileSystem: fileSystem)
        } catch {
            throw BrokerConfigError("\(error); change the users of a running broker through it (barge users with --bootstrap-servers)")
        }
    }

    /// Every user with its mechanisms and iterations, by name. The file is
    /// current while a broker runs too: it writes every change through.
    public static func list(dataDirectory: String, fileSystem: any FileSystemIO = PosixFileSystem()) throws -> [String: [(ScramMechanism, Int)]] {
        try ScramCredentialStore(dataDirectory: dataDirectory, fileSystem: fileSystem).users().mapValues { credentials in
            credentials.map { ($0.mechanism, $0.iterations) }
        }
    }
}
