import FileIO
import NIOCore

/// The offsets store's open file: a `FileHandleIO` whose failures are
/// `OffsetStoreError(.storage)` naming the call, the path and the system's
/// reason. Whoever opens it closes it, exactly once.
struct OffsetLogFile: Sendable {
    let handle: any FileHandleIO

    var path: String { handle.path }

    /// Opens the existing file at `path` for reading and writing.
    static func open(_ path: String, in fileSystem: any FileSystemIO) throws(OffsetStoreError) -> OffsetLogFile {
        OffsetLogFile(handle: try storage { () throws(FileIOError) in try fileSystem.open(path, mode: .readWrite) })
    }

    /// The whole file.
    func readAll() throws(OffsetStoreError) -> ByteBuffer {
        ByteBuffer(bytes: try storage { () throws(FileIOError) in try handle.readAll() })
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: ByteBuffer, at offset: Int) throws(OffsetStoreError) {
        try storage { () throws(FileIOError) in
            try bytes.withUnsafeReadableBytes { (raw) throws(FileIOError) in try handle.write([raw], at: offset) }
        }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws(OffsetStoreError) {
        try storage { () throws(FileIOError) in try handle.truncate(to: size) }
    }

    /// Forces the file's data and size to disk.
    func sync() throws(OffsetStoreError) {
        try storage { () throws(FileIOError) in try handle.sync() }
    }

    /// Closes the file.
    func close() {
        handle.close()
    }

    /// Writes `bytes` to `path` so that a crash leaves the old or the new
    /// file: a temporary file, fsync, rename over `path`, fsync of the folder.
    static func replace(_ path: String, with bytes: ByteBuffer, in fileSystem: any FileSystemIO) throws(OffsetStoreError) {
        try storage { () throws(FileIOError) in
            try bytes.withUnsafeReadableBytes { (raw) throws(FileIOError) in try fileSystem.writeAtomically(raw, to: path) }
        }
    }

    /// Runs a file operation, turning its failure into `OffsetStoreError(.storage)`.
    static func storage<Result>(_ body: () throws(FileIOError) -> Result) throws(OffsetStoreError) -> Result {
        do {
            return try body()
        } catch {
            throw OffsetStoreError(.storage, error.description)
        }
    }

    private func storage<Result>(_ body: () throws(FileIOError) -> Result) throws(OffsetStoreError) -> Result {
        try Self.storage(body)
    }
}
