import FileIO

extension FileSystemObjectStore {
    /// Stores the open `file`'s bytes under `key` without copying them: the object becomes
    /// another name of the same file (a hard link), which is flushed and renamed into place
    /// as `put` does, so it is complete or absent even after a crash.
    ///
    /// The file must never change afterwards: the object would change with it. Removing
    /// either name leaves the other.
    ///
    /// - Returns: the stored object's description, or nil when the file cannot be linked
    ///   into this store (it is on another file system, the file system has no hard links,
    ///   or the file was removed while open); `put` with its bytes is then the way.
    /// - Throws: `.invalidKey` when a link or an object is in the way, file-system errors
    ///   as typed errors. No partial file is left behind.
    public func put(_ key: ObjectKey, linking file: any FileHandleIO) async throws -> ObjectInfo? {
        try checkNotReserved(key)
        let name = Self.partialFileName()
        return try await BlockingIO.run { [root, fileSystem] in
            guard let partial = try PartialFile.link(file, as: name, for: key, below: root, in: fileSystem) else { return nil }
            do {
                return try partial.commit().objectInfo(key: key)
            } catch {
                partial.remove()
                throw error
            }
        }
    }
}
