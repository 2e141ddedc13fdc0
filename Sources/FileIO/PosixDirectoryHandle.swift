#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open system directory; its descriptor is closed when the last reference goes.
final class PosixDirectoryHandle: DirectoryHandleIO {
    let path: String
    let descriptor: CInt

    init(path: String, descriptor: CInt) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { systemClose(descriptor) }

    func openDirectory(_ name: String) throws(FileIOError) -> any DirectoryHandleIO {
        let child = try systemCall("open the directory", join(name)) {
            openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        }
        return PosixDirectoryHandle(path: join(name), descriptor: child)
    }

    func makeDirectory(_ name: String) throws(FileIOError) {
        try systemCall("mkdir", join(name)) { mkdirat(descriptor, name, 0o777) }
    }

    func openFile(_ name: String, mode: FileOpenMode) throws(FileIOError) -> any FileHandleIO {
        var flags = O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (mode.isWritable ? O_RDWR : O_RDONLY)
        if mode.creates { flags |= O_CREAT }
        if mode.isExclusive { flags |= O_EXCL }
        if mode.truncates { flags |= O_TRUNC }
        let file = try systemCall("open", join(name)) { openat(descriptor, name, flags, 0o666) }
        // O_NONBLOCK only kept the open from waiting on a FIFO.
        _ = fcntl(file, F_SETFL, fcntl(file, F_GETFL) & ~O_NONBLOCK)
        return PosixFileHandle(path: join(name), descriptor: file)
    }

    func status(of name: String) throws(FileIOError) -> FileStatus? {
        var info = stat()
        do throws(FileIOError) {
            try systemCall("read the status of", join(name)) { fstatat(descriptor, name, &info, AT_SYMLINK_NOFOLLOW) }
        } catch where error.isNotFound {
            return nil
        }
        return FileStatus(info)
    }

    func entries() throws(FileIOError) -> [DirectoryEntry] {
        let duplicate = try systemCall("open the directory", path) { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }
        guard let stream = fdopendir(duplicate) else {
            let code = errno
            systemClose(duplicate)
            throw FileIOError(operation: "read the directory", path: path, code: code)
        }
        defer { closedir(stream) }
        var entries: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let record = readdir(stream) else {
                if errno != 0 { throw FileIOError(operation: "read the directory", path: path, code: errno) }
                return entries
            }
            let name = withUnsafeBytes(of: record.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            let kind: FileEntryKind
            switch Int32(record.pointee.d_type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_REG): kind = .regularFile
            case Int32(DT_LNK): kind = .symbolicLink
            case Int32(DT_UNKNOWN):
                var info = stat()
                guard fstatat(descriptor, String(decoding: name, as: UTF8.self), &info, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                kind = FileStatus(info).kind
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
    }

    func rename(_ name: String, to newName: String) throws(FileIOError) {
        try systemCall("rename to \(join(newName))", join(name)) { renameat(descriptor, name, descriptor, newName) }
    }

    func link(_ file: any FileHandleIO, as name: String) throws(FileIOError) {
        guard let file = file as? PosixFileHandle else { throw FileIOError(operation: "link to \(join(name))", path: file.path, code: EXDEV) }
        // The descriptor's entry in /proc names exactly the open file, even if its path was reused since.
        try systemCall("link to \(join(name))", file.path) {
            linkat(AT_FDCWD, "/proc/self/fd/\(file.descriptor)", descriptor, name, AT_SYMLINK_FOLLOW)
        }
    }

    func remove(_ name: String) throws(FileIOError) {
        try systemCall("unlink", join(name)) { unlinkat(descriptor, name, 0) }
    }

    func removeDirectory(_ name: String) throws(FileIOError) {
        try systemCall("rmdir", join(name)) { unlinkat(descriptor, name, AT_REMOVEDIR) }
    }

    func sync() throws(FileIOError) {
        try systemCall("fsync", path) { fsync(descriptor) }
    }

    private func join(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }
}

extension FileStatus {
    /// The status `stat` describes.
    init(_ info: stat) {
        let kind: FileEntryKind = switch info.st_mode & S_IFMT {
        case S_IFREG: .regularFile
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        default: .other
        }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        self.init(kind: kind, size: Int64(info.st_size), modificationTime: Double(time.tv_sec) + Double(time.tv_nsec) / 1_000_000_000)
    }
}
