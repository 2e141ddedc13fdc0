import FileIO
import NIOCore

/// The file system a log lives on, with failures as `LogError(.storage)`.
struct LogStorage: Sendable {
    let fileSystem: any FileSystemIO

    /// Opens `path` for reading and writing, creating it when missing.
    func open(_ path: String) throws(LogError) -> LogFile {
        LogFile(handle: try mappingFileErrors { () throws(FileIOError) in try fileSystem.open(path, mode: .create) })
    }

    /// Opens an existing file for reading only.
    func openForReading(_ path: String) throws(LogError) -> LogFile {
        LogFile(handle: try mappingFileErrors { () throws(FileIOError) in try fileSystem.open(path, mode: .read) })
    }

    /// Creates `path` and its missing parents, durably.
    func makeDirectories(_ path: String) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try fileSystem.makeDirectories(path, durably: true) }
    }

    /// The names in a directory.
    func list(_ path: String) throws(LogError) -> [String] {
        try mappingFileErrors { () throws(FileIOError) in try fileSystem.list(path) }
    }

    /// Removes a file; a file that is already gone is fine.
    func remove(_ path: String) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try fileSystem.removeIfPresent(path) }
    }

    /// Removes an empty directory; one that is already gone is fine.
    func removeDirectory(_ path: String) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try fileSystem.removeDirectoryIfPresent(path) }
    }

    /// Forces a directory's entries to disk.
    func syncDirectory(_ path: String) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try fileSystem.syncDirectory(path) }
    }

    /// Writes `bytes` to `path` durably and atomically (temporary file, fsync, rename, directory fsync).
    func writeAtomically(_ bytes: ByteBuffer, to path: String) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in
            try bytes.withUnsafeReadableBytes { (raw) throws(FileIOError) in try fileSystem.writeAtomically(raw, to: path) }
        }
    }

    /// The first `limit` bytes of a file, or nil when it does not exist.
    func readWholeFile(_ path: String, limit: Int) throws(LogError) -> ByteBuffer? {
        guard fileSystem.exists(path) else { return nil }
        let file = LogFile(handle: try mappingFileErrors { () throws(FileIOError) in try fileSystem.open(path, mode: .read) })
        defer { file.close() }
        return try file.read(count: min(try file.size(), limit), at: 0)
    }
}
