#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file operation that failed: which operation, on which path, and the
/// system's error number (`errno`), with its text.
///
/// Every implementation of `FileSystemIO` and `FileHandleIO` throws only this
/// error, the in-memory one with the errno the system would give.
public struct FileIOError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The call that failed, such as `open`, `pwrite` or `fsync`.
    public let operation: String
    /// The path it was made on.
    public let path: String
    /// The system's error number.
    public let code: CInt

    /// A failure of `operation` on `path` with error number `code`.
    public init(operation: String, path: String, code: CInt) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// EEXIST: something is already at `path`, so `operation` cannot proceed.
    public static func alreadyExisting(operation: String, path: String) -> FileIOError {
        FileIOError(operation: operation, path: path, code: EEXIST)
    }

    /// The system's text for `code`, such as "No space left on device".
    public var reason: String { String(cString: strerror(code)) }

    /// The device is full (ENOSPC) or a quota is exhausted (EDQUOT).
    public var isNoSpace: Bool { code == ENOSPC || code == EDQUOT }
    /// A low-level I/O error (EIO).
    public var isInputOutput: Bool { code == EIO }
    /// Nothing exists at the path (ENOENT).
    public var isNotFound: Bool { code == ENOENT }
    /// The error number of a file larger than a reader's limit (EFBIG).
    public static let tooLarge = EFBIG

    /// Permission is refused (EACCES, EPERM).
    public var isAccessDenied: Bool { code == EACCES || code == EPERM }
    /// A symbolic link was met where none may be followed (ELOOP).
    public var isSymbolicLinkRefused: Bool { code == ELOOP }
    /// A path component or the target is not a directory (ENOTDIR).
    public var isNotDirectory: Bool { code == ENOTDIR }
    /// A directory is where a file was meant to go (EISDIR, ENOTEMPTY).
    public var isDirectoryInTheWay: Bool { code == EISDIR || code == ENOTEMPTY }
    /// Something exists at the path already (EEXIST).
    public var isAlreadyExisting: Bool { code == EEXIST }

    public var description: String { "\(operation) of \(path) failed: \(reason) (errno \(code))" }
}
