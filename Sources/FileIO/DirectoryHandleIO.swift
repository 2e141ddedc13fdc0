/// What `status` tells of a file or directory.
public struct FileStatus: Sendable, Hashable {
    /// What it is.
    public let kind: FileEntryKind
    /// Its size in bytes.
    public let size: Int64
    /// Its last modification time, in seconds since the epoch (with the fraction the file system keeps).
    public let modificationTime: Double

    public init(kind: FileEntryKind, size: Int64, modificationTime: Double) {
        self.kind = kind
        self.size = size
        self.modificationTime = modificationTime
    }
}

/// One entry of a directory.
public struct DirectoryEntry: Sendable, Hashable {
    /// The name's bytes (not necessarily UTF-8).
    public let name: [UInt8]
    /// What it is (a symbolic link is not followed).
    public let kind: FileEntryKind

    public init(name: [UInt8], kind: FileEntryKind) {
        self.name = name
        self.kind = kind
    }
}

/// An open directory, for operations on the names in it that never follow
/// a symbolic link (the `openat` family): a tree can be walked below a root
/// without any link placed inside it leading out. Closed when the last
/// reference to it goes. Every method blocks on the disk.
public protocol DirectoryHandleIO: Sendable {
    /// The directory's path, for messages.
    var path: String { get }

    /// The directory `name` in this one. ELOOP when it is a symbolic link,
    /// ENOTDIR when it is something else, ENOENT when nothing is there.
    func openDirectory(_ name: String) throws(FileIOError) -> any DirectoryHandleIO

    /// Creates the directory `name` in this one (EEXIST when something is there).
    func makeDirectory(_ name: String) throws(FileIOError)

    /// Opens the file `name` in this one; ELOOP when it is a symbolic link.
    /// Opening never blocks on a FIFO.
    func openFile(_ name: String, mode: FileOpenMode) throws(FileIOError) -> any FileHandleIO

    /// What is at `name` (a symbolic link is not followed), nil when nothing is.
    func status(of name: String) throws(FileIOError) -> FileStatus?

    /// The entries, without `.` and `..`, in no particular order.
    func entries() throws(FileIOError) -> [DirectoryEntry]

    /// Renames `name` to `newName`, both in this directory, replacing a file there.
    func rename(_ name: String, to newName: String) throws(FileIOError)

    /// Gives the open `file` a second name, `name`, in this directory (a hard
    /// link): no byte is copied and both names share every later change.
    /// EEXIST when something is at `name`; EXDEV when the file is on another
    /// file system (or of another `FileSystemIO`); ENOENT when the file has
    /// no name left (it was removed while open).
    func link(_ file: any FileHandleIO, as name: String) throws(FileIOError)

    /// Removes the file `name`.
    func remove(_ name: String) throws(FileIOError)

    /// Removes the empty directory `name`.
    func removeDirectory(_ name: String) throws(FileIOError)

    /// Forces the directory's entries to disk.
    func sync() throws(FileIOError)
}
