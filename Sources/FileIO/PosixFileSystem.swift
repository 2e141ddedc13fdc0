#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, through POSIX calls. Every descriptor is opened
/// with O_CLOEXEC; interrupted calls are retried.
public struct PosixFileSystem: FileSystemIO {
    /// The real file system.
    public init() {}

    public func open(_ path: String, mode: FileOpenMode) throws(FileIOError) -> any FileHandleIO {
        var flags = O_CLOEXEC | (mode.isWritable ? O_RDWR : O_RDONLY)
        if mode.creates { flags |= O_CREAT }
        if mode.isExclusive { flags |= O_EXCL }
        if mode.truncates { flags |= O_TRUNC }
        if mode.refusesSymbolicLink { flags |= O_NOFOLLOW }
        let descriptor = try systemCall("open", path) { systemOpen(path, flags, 0o644) }
        return PosixFileHandle(path: path, descriptor: descriptor)
    }

    public func openAnonymous(in directory: String) throws(FileIOError) -> any FileHandleIO {
        var template = Array("\(directory)/.anonymous-XXXXXX".utf8CString)
        let descriptor = try systemCall("mkstemp", directory) {
            template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        _ = systemUnlink(path)
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return PosixFileHandle(path: path, descriptor: descriptor)
    }

    public func openDirectory(_ path: String) throws(FileIOError) -> any DirectoryHandleIO {
        PosixDirectoryHandle(path: path, descriptor: try systemCall("open the directory", path) {
            systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        })
    }

    public func canonicalPath(_ path: String) throws(FileIOError) -> String {
        guard let resolved = realpath(path, nil) else { throw FileIOError(operation: "resolve", path: path, code: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    public func entryKind(_ path: String) -> FileEntryKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    public func makeDirectory(_ path: String) throws(FileIOError) {
        try systemCall("mkdir", path) { systemMakeDirectory(path, 0o755) }
    }

    public func list(_ path: String) throws(FileIOError) -> [String] {
        guard let directory = opendir(path) else {
            throw FileIOError(operation: "opendir", path: path, code: errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public func remove(_ path: String) throws(FileIOError) {
        try systemCall("unlink", path) { systemUnlink(path) }
    }

    public func removeDirectory(_ path: String) throws(FileIOError) {
        try systemCall("rmdir", path) { systemRemoveDirectory(path) }
    }

    public func rename(_ from: String, to: String) throws(FileIOError) {
        try systemCall("rename to \(to)", from) { systemRename(from, to) }
    }

    public func renameWithoutReplacing(_ from: String, to: String) throws(FileIOError) {
        do throws(FileIOError) {
            try systemCall("link to \(to)", from) { systemLink(from, to) }
        } catch where [EPERM, ENOTSUP, EOPNOTSUPP, EMLINK, EXDEV].contains(error.code) {
            // No hard links here: check, then rename.
            var status = stat()
            guard lstat(to, &status) != 0, errno == ENOENT else {
                throw FileIOError.alreadyExisting(operation: "rename to \(to)", path: from)
            }
            return try rename(from, to: to)
        }
        try remove(from)
    }

    public func syncDirectory(_ path: String) throws(FileIOError) {
        let descriptor = try systemCall("open", path) { systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        defer { systemClose(descriptor) }
        try systemCall("fsync", path) { fsync(descriptor) }
    }
}
