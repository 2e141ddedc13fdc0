#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Small files written so that a crash leaves either the old or the new
/// content: write a temporary file, fsync it, rename it over, fsync the folder.
enum DurableFile {
    static func write(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw BrokerIOError(operation: "create", path: temporary) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { try writeFully($0, to: descriptor, at: 0, path: temporary) }
        guard fsync(descriptor) == 0 else { throw BrokerIOError(operation: "fsync", path: temporary) }
        guard rename(temporary, path) == 0 else { throw BrokerIOError(operation: "rename", path: path) }
        syncDirectory(of: path)
    }

    /// Writes all of `bytes` at `offset` of an open file, retrying short
    /// writes and EINTR; throws `BrokerIOError` naming `path`.
    static func writeFully(_ bytes: UnsafeRawBufferPointer, to descriptor: CInt, at offset: Int, path: String) throws {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(offset + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw BrokerIOError(operation: "write", path: path)
            }
            written += result
        }
    }

    /// Fsyncs the folder holding `path`, so that a rename or unlink in it is durable.
    static func syncDirectory(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// A file-system call failed; names the call, the path and the system's reason.
struct BrokerIOError: Error, CustomStringConvertible {
    let operation: String
    let path: String
    let code: Int32

    init(operation: String, path: String, code: Int32 = errno) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    var description: String { "\(operation) \(path) failed: \(String(cString: strerror(code)))" }
}
