#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystemObjectStore {
    /// Opens `key`'s file and streams `range` of it (all of it for nil) in pieces of 256 KiB;
    /// the file stays open until the body is dropped.
    ///
    /// An empty range is valid from 0 up to and including the size (see `ObjectStore.get`).
    public func get(_ key: ObjectKey, range: Range<Int64>?) async throws -> ObjectBody {
        try checkNotReserved(key)
        let (file, size, path) = try await BlockingIO.run { [root] in try Self.openForReading(key, below: root) }
        let span = try ObjectRange.resolve(range, size: size, key: key)
        let reader = FileRangeReader(file, range: span, path: path, key: key)
        return ObjectBody(expectedSize: span.upperBound - span.lowerBound) {
            { try await reader.next() }
        }
    }

    /// The size and modification time of `key`'s file, or nil when there is none.
    public func head(_ key: ObjectKey) async throws -> ObjectInfo? {
        try checkNotReserved(key)
        return try await BlockingIO.run { [root] in try Self.describe(key, below: root) }
    }

    private static func describe(_ key: ObjectKey, below root: String) throws(ObjectStoreError) -> ObjectInfo? {
        let status: stat?
        do throws(ObjectStoreError) {
            status = try ConfinedPath.resolve(key, below: root, creatingDirectories: false).entryStatus()
        } catch {
            if error.kind == .notFound { return nil }
            throw error
        }
        guard let status, status.isRegularFile else { return nil }
        return status.objectInfo(key: key)
    }

    private static func openForReading(_ key: ObjectKey, below root: String) throws(ObjectStoreError) -> (PosixDescriptor, Int64, String) {
        let target = try ConfinedPath.resolve(key, below: root, creatingDirectories: false)
        var descriptor: Int32
        repeat {
            // O_NONBLOCK keeps a FIFO placed below the root from blocking the open.
            descriptor = openat(target.parent.raw, target.name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            if errno == ELOOP { throw ConfinedPath.linkRefused(target.filePath, root: root, key: key) }
            throw .posix(errno, "open", path: target.filePath, key: key)
        }
        let file = PosixDescriptor(taking: descriptor)
        let status = try file.status(path: target.filePath, key: key)
        guard status.isRegularFile else {
            throw ObjectStoreError(.notFound, key: key.rawValue, "no such object: \(target.filePath) is not a regular file")
        }
        return (file, Int64(status.st_size), target.filePath)
    }
}
