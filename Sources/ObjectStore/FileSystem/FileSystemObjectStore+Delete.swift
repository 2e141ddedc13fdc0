#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystemObjectStore {
    /// Removes `key`'s file, then the directories above it that are left empty (best effort,
    /// never the root). Removing a missing object succeeds.
    public func delete(_ key: ObjectKey) async throws {
        try checkNotReserved(key)
        try await BlockingIO.run { [root] in try Self.deleteFile(key, below: root) }
    }

    private static func deleteFile(_ key: ObjectKey, below root: String) throws(ObjectStoreError) {
        let target: ConfinedPath
        do throws(ObjectStoreError) {
            target = try ConfinedPath.resolve(key, below: root, creatingDirectories: false)
        } catch {
            if error.kind == .notFound { return }
            throw error
        }
        guard let status = try target.entryStatus(), !status.isDirectory else { return }
        guard unlinkat(target.parent.raw, target.name, 0) == 0 || errno == ENOENT else {
            throw .posix(errno, "remove", path: target.filePath, key: key)
        }
        target.pruneEmptyDirectories()
    }
}
