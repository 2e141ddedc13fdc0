import FileIO
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file a `put` writes before renaming it over its target: created next to the target
/// so the rename stays within one directory and one file system.
struct PartialFile: Sendable {
    /// Where the object goes.
    let target: ConfinedPath
    /// The partial file's name in the target's directory.
    let name: String
    /// The open partial file.
    let file: OpenFile
    /// The bytes written so far (the next write's offset).
    private let written: WrittenBytes

    /// Counts the bytes written; touched by one operation's calls, one at a time.
    private final class WrittenBytes: @unchecked Sendable {
        var count = 0
    }

    /// Creates the partial file `name` beside `key`'s file, creating directories on the way.
    ///
    /// - Throws: `.invalidKey` when a link or an object is in the way.
    static func create(_ name: String, for key: ObjectKey, below root: String, in fileSystem: any FileSystemIO) throws(ObjectStoreError) -> PartialFile {
        // Never nil: creating a file has no fallback.
        try make(name, for: key, below: root, in: fileSystem, action: "create the partial file") { parent throws(FileIOError) in
            try parent.openFile(name, mode: .createExclusive)
        }!
    }

    /// Gives the open `file` the partial name `name` beside `key`'s file (a hard link: no byte
    /// is copied), or returns nil when it cannot be linked there: another file system, one
    /// without hard links, or a file removed while open.
    ///
    /// - Throws: `.invalidKey` when a link or an object is in the way.
    static func link(_ file: any FileHandleIO, as name: String, for key: ObjectKey, below root: String, in fileSystem: any FileSystemIO) throws(ObjectStoreError) -> PartialFile? {
        try make(name, for: key, below: root, in: fileSystem, action: "link \(file.path) as the partial file") { parent throws(FileIOError) in
            do throws(FileIOError) {
                try parent.link(file, as: name)
            } catch where [EXDEV, EPERM, ENOTSUP, EOPNOTSUPP, EMLINK, ENOENT].contains(error.code) {
                return nil
            }
            do throws(FileIOError) {
                return try parent.openFile(name, mode: .read)
            } catch {
                try? parent.remove(name)
                throw error
            }
        }
    }

    private static func make(
        _ name: String, for key: ObjectKey, below root: String, in fileSystem: any FileSystemIO, action: String,
        opening open: (any DirectoryHandleIO) throws(FileIOError) -> (any FileHandleIO)?
    ) throws(ObjectStoreError) -> PartialFile? {
        // A concurrent `delete` may remove an empty directory between our opening it and
        // creating an entry in it; the way is then opened again.
        var attempt = 1
        while true {
            do throws(ObjectStoreError) {
                let target = try ConfinedPath.resolve(key, below: root, in: fileSystem, creatingDirectories: true)
                if let existing = try target.entryStatus(), existing.kind == .directory {
                    throw ConfinedPath.conflict(target.filePath, key: key)
                }
                do throws(FileIOError) {
                    guard let file = try open(target.parent) else {
                        target.pruneEmptyDirectories()
                        return nil
                    }
                    return PartialFile(target: target, name: name, file: OpenFile(file), written: WrittenBytes())
                } catch {
                    throw .file(error, action, path: target.pathOf(sibling: name), key: key)
                }
            } catch where error.kind == .notFound && attempt < 4 {
                attempt += 1
            }
        }
    }

    /// Appends `pieces` to the file.
    func write(_ pieces: [ByteBuffer]) throws(ObjectStoreError) {
        for piece in pieces {
            do throws(FileIOError) {
                try piece.withUnsafeReadableBytes { raw in
                    Result { () throws(FileIOError) in try file.handle.write([raw], at: written.count) }
                }.get()
            } catch {
                throw .file(error, "write", path: path, key: target.key)
            }
            written.count += piece.readableBytes
        }
    }

    /// Flushes the file, renames it over the target and flushes the directory.
    ///
    /// - Returns: the stored file's status.
    func commit() throws(ObjectStoreError) -> FileStatus {
        let status: FileStatus
        do throws(FileIOError) {
            try file.handle.sync()
            status = try file.handle.status()
        } catch {
            throw .file(error, "flush", path: path, key: target.key)
        }
        do throws(FileIOError) {
            try target.parent.rename(name, to: target.name)
        } catch where error.isDirectoryInTheWay || error.isAlreadyExisting {
            throw ConfinedPath.conflict(target.filePath, key: target.key)
        } catch {
            throw .file(error, "rename \(path) to", path: target.filePath, key: target.key)
        }
        do throws(FileIOError) {
            try target.parent.sync()
        } catch {
            throw .file(error, "flush", path: target.filePath, key: target.key)
        }
        return status
    }

    /// Removes the partial file and the directories made empty by that (best effort).
    func remove() {
        try? target.parent.remove(name)
        target.pruneEmptyDirectories()
    }

    private var path: String { target.pathOf(sibling: name) }
}
