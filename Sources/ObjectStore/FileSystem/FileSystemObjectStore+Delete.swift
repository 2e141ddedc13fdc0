import FileIO

extension FileSystemObjectStore {
    /// Removes `key`'s file, then the directories above it that are left empty (best effort,
    /// never the root). Removing a missing object succeeds.
    public func delete(_ key: ObjectKey) async throws {
        try checkNotReserved(key)
        try await BlockingIO.run { [root, fileSystem] in try Self.deleteFile(key, below: root, in: fileSystem) }
    }

    private static func deleteFile(_ key: ObjectKey, below root: String, in fileSystem: any FileSystemIO) throws(ObjectStoreError) {
        let target: ConfinedPath
        do throws(ObjectStoreError) {
            target = try ConfinedPath.resolve(key, below: root, in: fileSystem, creatingDirectories: false)
        } catch {
            if error.kind == .notFound { return }
            throw error
        }
        guard let status = try target.entryStatus(), status.kind != .directory else { return }
        do throws(FileIOError) {
            try target.parent.remove(target.name)
        } catch where error.isNotFound {
            // Removed meanwhile.
        } catch {
            throw .file(error, "remove", path: target.filePath, key: key)
        }
        target.pruneEmptyDirectories()
    }
}
