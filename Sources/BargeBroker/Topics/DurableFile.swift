#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Small files written so that a crash leaves either the old or the new
/// content: write a temporary file, fsync it, rename it over, fsync the folder.
///
/// The temporary file has a short name of its own (`.tmp-` and six random
/// characters) in the same folder, so that any name that fits the file
/// system (a 249-character topic's `<name>.json` takes 254 of 255 bytes) can
/// be written. A crash may leave one behind: `removeLeftovers(in:)` clears them.
enum DurableFile {
    /// The start of every temporary file's name.
    static let temporaryPrefix = ".tmp-"

    static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        var template = Array("\(folder.isEmpty ? "." : folder)/\(temporaryPrefix)XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw BrokerIOError(operation: "create a temporary file in", path: folder) }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        defer { close(descriptor) }
        do {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            guard fchmod(descriptor, 0o644) == 0 else { throw BrokerIOError(operation: "chmod", path: temporary) }
            try data.withUnsafeBytes { try writeFully($0, to: descriptor, at: 0, path: temporary) }
            guard fsync(descriptor) == 0 else { throw BrokerIOError(operation: "fsync", path: temporary) }
            guard rename(temporary, path) == 0 else { throw BrokerIOError(operation: "rename \(temporary) to", path: path) }
        } catch {
            unlink(temporary)
            throw error
        }
        syncDirectory(of: path)
    }

    /// Removes the temporary files that writes interrupted by a crash left in
    /// `folder` (and those of earlier versions, named `<file>.tmp`); returns their names.
    @discardableResult
    static func removeLeftovers(in folder: String) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix(temporaryPrefix) || $0.hasSuffix(".tmp") }
        for name in names { try FileManager.default.removeItem(atPath: folder + "/" + name) }
        return names
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
