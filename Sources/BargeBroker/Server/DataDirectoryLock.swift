import FileIO

/// The lock a broker holds on its data directory while it runs: an `flock`
/// on `<log.dirs>/.lock`, as Kafka's brokers hold one. A second broker on
/// the same directory, or `barge users --data-dir` changing the users of a
/// running broker, is refused instead of writing beside it. The lock goes
/// with the process, so a broker that was killed leaves none behind.
public struct DataDirectoryLock: Sendable {
    private let file: any FileHandleIO

    /// Takes the lock on `dataDirectory`, creating the directory if it is
    /// missing. Throws `BrokerConfigError` when another process (or another
    /// broker of this one) holds it. Blocking: call it off the event loops.
    public static func acquire(_ dataDirectory: String, fileSystem: any FileSystemIO = PosixFileSystem()) throws -> DataDirectoryLock {
        let path = dataDirectory + "/.lock"
        let file: any FileHandleIO
        let locked: Bool
        do {
            try fileSystem.makeDirectories(dataDirectory, durably: true)
            file = try fileSystem.open(path, mode: .create)
            do {
                locked = try file.tryLock()
            } catch {
                file.close()
                throw error
            }
        } catch {
            throw BrokerConfigError("cannot lock the data directory \(dataDirectory): \(error)")
        }
        guard locked else {
            file.close()
            throw BrokerConfigError("the data directory \(dataDirectory) is in use: a running broker holds \(path)")
        }
        return DataDirectoryLock(file: file)
    }

    /// Gives the lock up.
    public func release() {
        file.close()
    }
}
