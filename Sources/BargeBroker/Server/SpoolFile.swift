import FileIO
import NIOCore

/// An anonymous file that receives the records of a large produce request
/// as they arrive, so that the broker never holds them in memory. It has no
/// name: the data disappears when it is closed, even after a crash.
final class SpoolFile: Sendable {
    let file: any FileHandleIO

    /// Creates a spool file in `directory` (created if missing).
    init(directory: String, fileSystem: any FileSystemIO) throws(FileIOError) {
        try fileSystem.makeDirectories(directory)
        file = try fileSystem.openAnonymous(in: directory)
    }

    /// Writes all of `bytes` at `offset` (blocking: call it off the event loop).
    func write(_ bytes: ByteBuffer, at offset: Int) throws(FileIOError) {
        try bytes.withUnsafeReadableBytes { (raw) throws(FileIOError) in try file.write([raw], at: offset) }
    }

    deinit { file.close() }
}
