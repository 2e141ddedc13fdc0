import FileIO
import NIOConcurrencyHelpers
import NIOPosix

/// A file written off the cooperative pool, for ``BargeMessage/write(to:temporaryPath:replacingExisting:)``:
/// created under a temporary name, synced, then given its final name and
/// its directory synced. Failures are `BargeConsumerError(.storage)` naming
/// the file operation and its cause.
final class OutputFile: Sendable {
    private let fileSystem: any FileSystemIO
    private let file: any FileHandleIO
    private let position = NIOLockedValueBox(0)

    private init(fileSystem: any FileSystemIO, file: any FileHandleIO) {
        self.fileSystem = fileSystem
        self.file = file
    }

    /// Creates (or truncates) the file at `path`; a symbolic link there is refused.
    static func create(_ path: String, fileSystem: any FileSystemIO = PosixFileSystem()) async throws -> OutputFile {
        try await NIOThreadPool.singleton.runIfActive {
            try storage { () throws(FileIOError) in
                OutputFile(fileSystem: fileSystem, file: try fileSystem.open(path, mode: FileOpenMode.replace.noFollow))
            }
        }
    }

    /// Appends `bytes`.
    func write(_ bytes: [UInt8]) async throws {
        try await NIOThreadPool.singleton.runIfActive { [file, position] in
            try position.withLockedValue { position in
                try Self.storage { () throws(FileIOError) in try file.write(bytes, at: position) }
                position += bytes.count
            }
        }
    }

    /// Syncs the file, gives it the name `destination` and closes it;
    /// without `replacing`, a file already at `destination` stays and this
    /// throws. On a throw the file is still open: ``discard()`` it.
    func finish(renamingTo destination: String, replacing: Bool) async throws {
        try await NIOThreadPool.singleton.runIfActive { [file, fileSystem] in
            try Self.storage { () throws(FileIOError) in try file.sync() }
            do throws(FileIOError) {
                if replacing {
                    try fileSystem.rename(file.path, to: destination)
                } else {
                    try fileSystem.renameWithoutReplacing(file.path, to: destination)
                }
            } catch where error.isAlreadyExisting {
                throw BargeConsumerError(.storage, "cannot write \(destination): a file of that name exists")
            } catch {
                throw BargeConsumerError(.storage, "cannot write \(destination): \(error)")
            }
            try Self.storage { () throws(FileIOError) in try fileSystem.syncDirectory(parentDirectory(of: destination)) }
            file.close()
        }
    }

    /// Closes and removes the file (after a failure before ``finish(renamingTo:replacing:)`` completed).
    func discard() async {
        _ = try? await NIOThreadPool.singleton.runIfActive { [file, fileSystem] in
            file.close()
            try? fileSystem.removeIfPresent(file.path)
        }
    }

    /// Runs a file operation, turning its failure into `BargeConsumerError(.storage)`.
    private static func storage<Result>(_ body: () throws(FileIOError) -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw BargeConsumerError(.storage, "\(error)")
        }
    }
}
