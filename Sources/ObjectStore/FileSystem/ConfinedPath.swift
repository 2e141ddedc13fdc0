import FileIO

/// The directories leading to a key's file below a store's root, each opened relative to
/// the one before it without following a symbolic link (`DirectoryHandleIO`).
///
/// No symbolic link below the root is ever followed: a link where a directory or the file
/// should be makes the operation fail with `.invalidKey`, so no key can reach outside the
/// root whatever links someone places inside it.
struct ConfinedPath: Sendable {
    /// The store's root, canonical.
    let root: String
    /// The key the path leads to.
    let key: ObjectKey
    /// The root and every directory below it on the way to the file, outermost first.
    let directories: [any DirectoryHandleIO]
    /// The directory holding the file (the last of `directories`).
    let parent: any DirectoryHandleIO
    /// The file's name in `parent`.
    let name: String

    /// Opens the directories on the way to `key`'s file below `root`.
    ///
    /// - Parameter create: whether missing directories are created (for `put`).
    /// - Throws: `.notFound` when a directory is missing (and not created) or is a file,
    ///   `.invalidKey` when one is a symbolic link, or when `create` is set and one is a file.
    static func resolve(
        _ key: ObjectKey, below root: String, in fileSystem: any FileSystemIO, creatingDirectories create: Bool
    ) throws(ObjectStoreError) -> ConfinedPath {
        let segments = key.segments
        let directories = try openDirectories(segments.dropLast(), below: root, in: fileSystem, key: key, create: create)
        // `openDirectories` returns at least the root; a key has at least one segment.
        let parent = directories[directories.count - 1]
        return ConfinedPath(root: root, key: key, directories: directories, parent: parent, name: String(segments[segments.count - 1]))
    }

    /// Opens the root and then each directory named by `segments` below it, in turn.
    ///
    /// - Returns: the root and the directories, outermost first.
    /// - Throws: as `resolve`; `key` is the key the error names.
    static func openDirectories(
        _ segments: some Collection<Substring>, below root: String, in fileSystem: any FileSystemIO, key: ObjectKey, create: Bool
    ) throws(ObjectStoreError) -> [any DirectoryHandleIO] {
        var directories: [any DirectoryHandleIO]
        do throws(FileIOError) {
            directories = [try fileSystem.openDirectory(root)]
        } catch {
            throw .file(error, "open the store's root directory", path: root, key: key)
        }
        for (index, segment) in segments.enumerated() {
            let path = Self.path(root, segments.prefix(index + 1))
            directories.append(try openDirectory(String(segment), in: directories[index], path: path, root: root, key: key, create: create))
        }
        return directories
    }

    /// The file's full path, for messages.
    var filePath: String { Self.path(root, key.segments) }

    /// The full path of `entry` in the file's directory, for messages.
    func pathOf(sibling entry: String) -> String { Self.path(root, key.segments.dropLast() + [Substring(entry)]) }

    /// The status of whatever is at the file's place (not following a link), or nil when nothing is.
    ///
    /// - Throws: `.invalidKey` when it is a symbolic link.
    func entryStatus() throws(ObjectStoreError) -> FileStatus? {
        let status: FileStatus?
        do throws(FileIOError) {
            status = try parent.status(of: name)
        } catch {
            throw .file(error, "read the status of", path: filePath, key: key)
        }
        if status?.kind == .symbolicLink { throw Self.linkRefused(filePath, root: root, key: key) }
        return status
    }

    /// Removes the directories on the way to the file that are now empty, innermost first,
    /// stopping at the first that is not (best effort; the root always stays).
    func pruneEmptyDirectories() {
        let segments = key.segments
        for index in stride(from: directories.count - 1, to: 0, by: -1) {
            guard (try? directories[index - 1].removeDirectory(String(segments[index - 1]))) != nil else { return }
        }
    }

    /// The error for a symbolic link met at `path`.
    static func linkRefused(_ path: String, root: String, key: ObjectKey) -> ObjectStoreError {
        ObjectStoreError(.invalidKey, key: key.rawValue,
                         "\(path) is a symbolic link; the file-system store follows no links below its root \(root), so that no key can reach outside it")
    }

    /// The error for an object that sits where a `put` needs a directory, or the reverse.
    static func conflict(_ path: String, key: ObjectKey) -> ObjectStoreError {
        ObjectStoreError(.invalidKey, key: key.rawValue,
                         "\(path) is in the way: a file-system store cannot hold both an object under a key and objects under keys that extend it with '/'")
    }

    private static func openDirectory(
        _ name: String, in parent: any DirectoryHandleIO, path: String, root: String, key: ObjectKey, create: Bool
    ) throws(ObjectStoreError) -> any DirectoryHandleIO {
        // A directory created or removed concurrently by another operation is looked at again.
        for _ in 0..<4 {
            do throws(FileIOError) {
                return try parent.openDirectory(name)
            } catch where error.isNotFound && create {
                do throws(FileIOError) {
                    try parent.makeDirectory(name)
                    try parent.sync()
                } catch where error.isAlreadyExisting {
                    continue
                } catch {
                    throw .file(error, "create the directory", path: path, key: key)
                }
            } catch where error.isSymbolicLinkRefused || error.isNotDirectory {
                let status: FileStatus?
                do throws(FileIOError) {
                    status = try parent.status(of: name)
                } catch {
                    continue
                }
                guard let status else { continue }
                if status.kind == .symbolicLink { throw linkRefused(path, root: root, key: key) }
                if create { throw conflict(path, key: key) }
                throw ObjectStoreError(.notFound, key: key.rawValue, "no such object: \(path) is a file, not a directory")
            } catch {
                throw .file(error, "open the directory", path: path, key: key)
            }
        }
        throw ObjectStoreError(.io, key: key.rawValue, "cannot open the directory \(path): it keeps disappearing")
    }

    private static func path(_ root: String, _ segments: some Sequence<Substring>) -> String {
        segments.reduce(root == "/" ? "" : root) { $0 + "/" + $1 }
    }
}
