#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open directory of `InMemoryFileSystem`: the operations of the file
/// system on the names in it (it has no symbolic links to refuse).
struct InMemoryDirectoryHandle: DirectoryHandleIO {
    let fileSystem: InMemoryFileSystem
    let path: String

    func openDirectory(_ name: String) throws(FileIOError) -> any DirectoryHandleIO {
        switch fileSystem.entryKind(join(name)) {
        case .directory: return InMemoryDirectoryHandle(fileSystem: fileSystem, path: join(name))
        case nil: throw FileIOError(operation: "open the directory", path: join(name), code: ENOENT)
        default: throw FileIOError(operation: "open the directory", path: join(name), code: ENOTDIR)
        }
    }

    func makeDirectory(_ name: String) throws(FileIOError) {
        try fileSystem.makeDirectory(join(name))
    }

    func openFile(_ name: String, mode: FileOpenMode) throws(FileIOError) -> any FileHandleIO {
        try fileSystem.open(join(name), mode: mode)
    }

    func status(of name: String) throws(FileIOError) -> FileStatus? {
        switch fileSystem.entryKind(join(name)) {
        case nil: return nil
        case .directory: return FileStatus(kind: .directory, size: 0, modificationTime: 0)
        default:
            let file = try fileSystem.open(join(name), mode: .read)
            defer { file.close() }
            return try file.status()
        }
    }

    func entries() throws(FileIOError) -> [DirectoryEntry] {
        try fileSystem.list(path).map { name in
            DirectoryEntry(name: Array(name.utf8), kind: fileSystem.entryKind(join(name)) ?? .other)
        }
    }

    func rename(_ name: String, to newName: String) throws(FileIOError) {
        try fileSystem.rename(join(name), to: join(newName))
    }

    func link(_ file: any FileHandleIO, as name: String) throws(FileIOError) {
        guard let file = file as? InMemoryFileHandle, file.fileSystem === fileSystem else {
            throw FileIOError(operation: "link to \(join(name))", path: file.path, code: EXDEV)
        }
        try fileSystem.link(file.node, from: file.path, to: join(name))
    }

    func remove(_ name: String) throws(FileIOError) {
        try fileSystem.remove(join(name))
    }

    func removeDirectory(_ name: String) throws(FileIOError) {
        try fileSystem.removeDirectory(join(name))
    }

    func sync() throws(FileIOError) {
        try fileSystem.syncDirectory(path)
    }

    private func join(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }
}
