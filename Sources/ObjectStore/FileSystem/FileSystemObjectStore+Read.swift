import FileIO

extension FileSystemObjectStore {
    /// Opens `key`'s file and streams `range` of it (all of it for nil) in pieces of 256 KiB;
    /// the file stays open until the body is dropped.
    ///
    /// An empty range is valid from 0 up to and including the size (see `ObjectStore.get`).
    public func get(_ key: ObjectKey, range: Range<Int64>?) async throws -> ObjectBody {
        try checkNotReserved(key)
        let (file, size, path) = try await BlockingIO.run { [root, fileSystem] in try Self.openForReading(key, below: root, in: fileSystem) }
        let span = try ObjectRange.resolve(range, size: size, key: key)
        let reader = FileRangeReader(file, range: span, path: path, key: key)
        return ObjectBody(expectedSize: span.upperBound - span.lowerBound) {
            { try await reader.next() }
        }
    }

    /// A handle of its own on `key`'s file, for reading it in place (blocking;
    /// the caller closes it): a file-system store's objects are files already,
    /// which a reader on the same machine may read without copying them.
    public func openFileForReading(_ key: ObjectKey) throws(ObjectStoreError) -> any FileHandleIO {
        try checkNotReserved(key)
        let (file, _, path) = try Self.openForReading(key, below: root, in: fileSystem)
        do {
            return try file.handle.duplicate()
        } catch {
            throw .file(error, "open", path: path, key: key)
        }
    }

    /// The size and modification time of `key`'s file, or nil when there is none.
    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        try checkNotReserved(key)
        return try await BlockingIO.run { [root, fileSystem] in try Self.describe(key, below: root, in: fileSystem) }
    }

    private static func describe(_ key: ObjectKey, below root: String, in fileSystem: any FileSystemIO) throws(ObjectStoreError) -> ObjectInfo? {
        let status: FileStatus?
        do throws(ObjectStoreError) {
            status = try ConfinedPath.resolve(key, below: root, in: fileSystem, creatingDirectories: false).entryStatus()
        } catch {
            if error.kind == .notFound { return nil }
            throw error
        }
        guard let status, status.kind == .regularFile else { return nil }
        return status.objectInfo(key: key)
    }

    private static func openForReading(
        _ key: ObjectKey, below root: String, in fileSystem: any FileSystemIO
    ) throws(ObjectStoreError) -> (OpenFile, Int64, String) {
        let target = try ConfinedPath.resolve(key, below: root, in: fileSystem, creatingDirectories: false)
        let file: OpenFile
        let status: FileStatus
        do throws(FileIOError) {
            // The open never blocks on a FIFO placed below the root.
            file = OpenFile(try target.parent.openFile(target.name, mode: .read))
            status = try file.handle.status()
        } catch where error.isSymbolicLinkRefused {
            throw ConfinedPath.linkRefused(target.filePath, root: root, key: key)
        } catch {
            throw .file(error, "open", path: target.filePath, key: key)
        }
        guard status.kind == .regularFile else {
            throw ObjectStoreError(.notFound, key: key.rawValue, "no such object: \(target.filePath) is not a regular file")
        }
        return (file, status.size, target.filePath)
    }
}
