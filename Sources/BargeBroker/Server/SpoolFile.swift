#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// An anonymous file that receives the records of a large produce request
/// as they arrive, so that the broker never holds them in memory. It is
/// unlinked as soon as it is created: the data disappears when the last
/// descriptor to it closes, even after a crash.
final class SpoolFile: @unchecked Sendable {
    let descriptor: CInt
    let name: String

    /// Creates a spool file in `directory` (created if missing).
    init(directory: String) throws {
        mkdir(directory, 0o700)
        var template = Array("\(directory)/produce-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw BrokerIOError(operation: "create a spool file in", path: directory) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        unlink(path)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.descriptor = descriptor
        self.name = path
    }

    /// Writes all of `bytes` at `offset` (blocking: call it off the event loop).
    func write(_ bytes: ByteBuffer, at offset: Int) throws {
        try bytes.withUnsafeReadableBytes { try DurableFile.writeFully($0, to: descriptor, at: offset, path: name) }
    }

    deinit { close(descriptor) }
}
