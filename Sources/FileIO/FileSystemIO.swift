/// How a file is opened.
public struct FileOpenMode: Hashable, Sendable {
    /// Whether the file may be written.
    public let isWritable: Bool
    /// Whether a missing file is created (mode 0644).
    public let creates: Bool
    /// Whether opening fails with EEXIST when the file exists.
    public let isExclusive: Bool
    /// Whether the file is cut to zero bytes on opening.
    public let truncates: Bool
    /// Whether a symbolic link as the last component fails (O_NOFOLLOW, ELOOP).
    public let refusesSymbolicLink: Bool

    /// Reading an existing file.
    public static let read = FileOpenMode(isWritable: false, creates: false, isExclusive: false, truncates: false, refusesSymbolicLink: false)
    /// Reading and writing an existing file.
    public static let readWrite = FileOpenMode(isWritable: true, creates: false, isExclusive: false, truncates: false, refusesSymbolicLink: false)
    /// Reading and writing, creating the file when missing.
    public static let create = FileOpenMode(isWritable: true, creates: true, isExclusive: false, truncates: false, refusesSymbolicLink: false)
    /// Reading and writing a new, empty file; cuts an existing one to zero bytes.
    public static let replace = FileOpenMode(isWritable: true, creates: true, isExclusive: false, truncates: true, refusesSymbolicLink: false)
    /// Reading and writing a file that must not exist yet (EEXIST otherwise).
    public static let createExclusive = FileOpenMode(isWritable: true, creates: true, isExclusive: true, truncates: false, refusesSymbolicLink: false)

    /// The same mode, failing on a symbolic link as the last component.
    public var noFollow: FileOpenMode {
        FileOpenMode(isWritable: isWritable, creates: creates, isExclusive: isExclusive, truncates: truncates, refusesSymbolicLink: true)
    }
}

/// What a directory entry is.
public enum FileEntryKind: Sendable, Hashable {
    case regularFile, directory, symbolicLink, other
}

/// Operations on paths: opening files, directories, renames. Every
/// file-system call of the project goes through this protocol, so that tests
/// can replace the disk with `InMemoryFileSystem` and make it fail.
///
/// Every method blocks on the disk: call it from a thread pool, never from
/// an event loop or the Swift concurrency pool.
public protocol FileSystemIO: Sendable {
    /// Opens the file at `path`.
    func open(_ path: String, mode: FileOpenMode) throws(FileIOError) -> any FileHandleIO

    /// Creates a file in `directory` (which must exist) that has no name:
    /// it disappears when its last handle closes, even after a crash.
    func openAnonymous(in directory: String) throws(FileIOError) -> any FileHandleIO

    /// Opens the directory at `path` (following a symbolic link there) for
    /// operations relative to it that follow none.
    func openDirectory(_ path: String) throws(FileIOError) -> any DirectoryHandleIO

    /// `path` made absolute, with symbolic links, `.` and `..` resolved.
    func canonicalPath(_ path: String) throws(FileIOError) -> String

    /// Whether anything (file or directory) exists at `path`.
    func exists(_ path: String) -> Bool

    /// Whether `path` is a directory (following a symbolic link).
    func isDirectory(_ path: String) -> Bool

    /// What is at `path` itself (a symbolic link is not followed), nil when nothing is.
    func entryKind(_ path: String) -> FileEntryKind?

    /// Creates the directory `path`; its parent must exist. EEXIST when something exists there.
    func makeDirectory(_ path: String) throws(FileIOError)

    /// The names in a directory, without `.` and `..`, in no particular order.
    func list(_ path: String) throws(FileIOError) -> [String]

    /// Removes a file (ENOENT when there is none).
    func remove(_ path: String) throws(FileIOError)

    /// Removes an empty directory (ENOENT when there is none, ENOTEMPTY when it has entries).
    func removeDirectory(_ path: String) throws(FileIOError)

    /// Renames `from` to `to`, replacing a file at `to`.
    func rename(_ from: String, to: String) throws(FileIOError)

    /// Gives the file `from` the name `to` unless something exists there
    /// (EEXIST then, and `from` stays): atomically where the file system has
    /// hard links, else by a rename after checking.
    func renameWithoutReplacing(_ from: String, to: String) throws(FileIOError)

    /// Forces a directory's entries (files created, renamed or removed in it) to disk.
    func syncDirectory(_ path: String) throws(FileIOError)
}
