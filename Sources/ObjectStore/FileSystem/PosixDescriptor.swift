#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An open file or directory descriptor, closed when the last reference to it goes.
///
/// Descriptors are only used on NIO's blocking thread pool; sharing one between the
/// calls of a single operation (a `put`'s writes, a `get`'s reads) is the only sharing.
final class PosixDescriptor: Sendable {
    /// The descriptor number.
    let raw: Int32

    /// Takes ownership of `raw`, which must be open.
    init(taking raw: Int32) {
        self.raw = raw
    }

    deinit { close(raw) }

    /// The descriptor's status (`fstat`).
    func status(path: String, key: ObjectKey) throws(ObjectStoreError) -> stat {
        var info = stat()
        guard fstat(raw, &info) == 0 else { throw .posix(errno, "read the status of", path: path, key: key) }
        return info
    }

    /// Writes all of `bytes` at the current offset; returns the `errno` of a failure.
    func writeAll(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        guard let start = bytes.baseAddress else { return nil }
        var written = 0
        while written < bytes.count {
            let result = write(raw, start + written, bytes.count - written)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return result < 0 ? errno : EIO }
            written += result
        }
        return nil
    }

    /// Flushes the file or directory to stable storage (`fsync`).
    func sync(path: String, key: ObjectKey) throws(ObjectStoreError) {
        while fsync(raw) != 0 {
            if errno == EINTR { continue }
            throw .posix(errno, "flush", path: path, key: key)
        }
    }
}

extension ObjectStoreError {
    /// The error for a system call that failed with `code` while trying to `action` `path`.
    ///
    /// `ENOENT` is `.notFound`, `EACCES` and `EPERM` are `.accessDenied`, anything else `.io`;
    /// the message names the path and the system's explanation.
    static func posix(_ code: Int32, _ action: String, path: String, key: ObjectKey?) -> ObjectStoreError {
        let kind: Kind
        switch code {
        case ENOENT: kind = .notFound
        case EACCES, EPERM: kind = .accessDenied
        default: kind = .io
        }
        return ObjectStoreError(kind, key: key?.rawValue, "cannot \(action) \(path): \(String(cString: strerror(code)))")
    }
}

extension stat {
    /// Whether this is the status of a regular file.
    var isRegularFile: Bool { st_mode & S_IFMT == S_IFREG }
    /// Whether this is the status of a directory.
    var isDirectory: Bool { st_mode & S_IFMT == S_IFDIR }
    /// Whether this is the status of a symbolic link (from `lstat`/`fstatat` without following).
    var isSymbolicLink: Bool { st_mode & S_IFMT == S_IFLNK }

    /// The description of the object `key` whose file has this status.
    func objectInfo(key: ObjectKey) -> ObjectInfo {
        #if canImport(Darwin)
        let seconds = Double(st_mtimespec.tv_sec) + Double(st_mtimespec.tv_nsec) / 1_000_000_000
        #else
        let seconds = Double(st_mtim.tv_sec) + Double(st_mtim.tv_nsec) / 1_000_000_000
        #endif
        return ObjectInfo(key: key, size: Int64(st_size), lastModified: Date(timeIntervalSince1970: seconds))
    }
}
