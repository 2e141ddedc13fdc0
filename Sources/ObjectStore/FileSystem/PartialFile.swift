#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// The file a `put` writes before renaming it over its target: created next to the target
/// so the rename stays within one directory and one file system.
struct PartialFile: Sendable {
    /// Where the object goes.
    let target: ConfinedPath
    /// The partial file's name in the target's directory.
    let name: String
    /// The open partial file.
    let descriptor: PosixDescriptor

    /// Creates the partial file `name` beside `key`'s file, creating directories on the way.
    ///
    /// - Throws: `.invalidKey` when a link or an object is in the way.
    static func create(_ name: String, for key: ObjectKey, below root: String) throws(ObjectStoreError) -> PartialFile {
        // A concurrent `delete` may remove an empty directory between our opening it and
        // creating an entry in it; the way is then opened again.
        var attempt = 1
        while true {
            do throws(ObjectStoreError) {
                return try createOnce(name, for: key, below: root)
            } catch where error.kind == .notFound && attempt < 4 {
                attempt += 1
            }
        }
    }

    private static func createOnce(_ name: String, for key: ObjectKey, below root: String) throws(ObjectStoreError) -> PartialFile {
        let target = try ConfinedPath.resolve(key, below: root, creatingDirectories: true)
        if let existing = try target.entryStatus(), existing.isDirectory {
            throw ConfinedPath.conflict(target.filePath, key: key)
        }
        var descriptor: Int32
        repeat {
            descriptor = openat(target.parent.raw, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o666)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw .posix(errno, "create the partial file", path: target.pathOf(sibling: name), key: key) }
        return PartialFile(target: target, name: name, descriptor: PosixDescriptor(taking: descriptor))
    }

    /// Appends `pieces` to the file.
    func write(_ pieces: [ByteBuffer]) throws(ObjectStoreError) {
        for piece in pieces {
            if let failure = piece.withUnsafeReadableBytes({ descriptor.writeAll($0) }) {
                throw .posix(failure, "write", path: path, key: target.key)
            }
        }
    }

    /// Flushes the file, renames it over the target and flushes the directory.
    ///
    /// - Returns: the stored file's status.
    func commit() throws(ObjectStoreError) -> stat {
        try descriptor.sync(path: path, key: target.key)
        let status = try descriptor.status(path: path, key: target.key)
        guard renameat(target.parent.raw, name, target.parent.raw, target.name) == 0 else {
            let code = errno
            if code == EISDIR || code == ENOTEMPTY || code == EEXIST { throw ConfinedPath.conflict(target.filePath, key: target.key) }
            throw .posix(code, "rename \(path) to", path: target.filePath, key: target.key)
        }
        try target.parent.sync(path: target.filePath, key: target.key)
        return status
    }

    /// Removes the partial file and the directories made empty by that (best effort).
    func remove() {
        unlinkat(target.parent.raw, name, 0)
        target.pruneEmptyDirectories()
    }

    private var path: String { target.pathOf(sibling: name) }
}
