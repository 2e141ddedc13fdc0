#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FileSystemIO {
    /// Creates `path` and its missing parents; existing directories are fine.
    /// With `durably`, the parent of each directory created is synced, so
    /// that the new entries survive a crash.
    public func makeDirectories(_ path: String, durably: Bool = false) throws(FileIOError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            let parent = prefix.isEmpty ? "/" : prefix
            prefix += "/" + component
            do throws(FileIOError) {
                try makeDirectory(prefix)
                if durably { try syncDirectory(parent) }
            } catch where error.isAlreadyExisting && isDirectory(prefix) {
                continue
            }
        }
    }

    /// Removes a file; one that is already gone is fine.
    public func removeIfPresent(_ path: String) throws(FileIOError) {
        do throws(FileIOError) {
            try remove(path)
        } catch where error.isNotFound {
            return
        }
    }

    /// Removes an empty directory; one that is already gone is fine.
    public func removeDirectoryIfPresent(_ path: String) throws(FileIOError) {
        do throws(FileIOError) {
            try removeDirectory(path)
        } catch where error.isNotFound {
            return
        }
    }

    /// Writes `bytes` to `path` durably and atomically: a temporary file beside
    /// it (`temporary`, by default `<path>.tmp`), fsync, rename over `path`,
    /// fsync of the directory. After a crash `path` holds either its old or
    /// its new contents (and the temporary file may be left behind).
    public func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String, temporary: String? = nil) throws(FileIOError) {
        let temporary = temporary ?? path + ".tmp"
        let file = try open(temporary, mode: .replace)
        do throws(FileIOError) {
            try file.write([bytes], at: 0)
            try file.sync()
            file.close()
        } catch {
            file.close()
            try? remove(temporary)
            throw error
        }
        do throws(FileIOError) {
            try rename(temporary, to: path)
        } catch {
            try? remove(temporary)
            throw error
        }
        try syncDirectory(parentDirectory(of: path))
    }

    /// Writes `bytes` to `path` durably and atomically, as `writeAtomically(_:to:)` does.
    public func writeAtomically(_ bytes: [UInt8], to path: String, temporary: String? = nil) throws(FileIOError) {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(FileIOError) in try writeAtomically(raw, to: path, temporary: temporary) }
        }.get()
    }

    /// Removes `path` and, for a directory, everything in it; nothing there is fine.
    public func removeTree(_ path: String) throws(FileIOError) {
        if isDirectory(path) {
            for name in try list(path) { try removeTree("\(path)/\(name)") }
            try removeDirectoryIfPresent(path)
        } else {
            try removeIfPresent(path)
        }
    }

    /// The size of the file at `path`.
    public func fileSize(_ path: String) throws(FileIOError) -> Int {
        let file = try open(path, mode: .read)
        defer { file.close() }
        return try file.size()
    }

    /// The contents of a file, nil when there is none; an error when it is larger than `limit` bytes.
    public func readWholeFile(_ path: String, limit: Int = .max) throws(FileIOError) -> [UInt8]? {
        let file: any FileHandleIO
        do throws(FileIOError) {
            file = try open(path, mode: .read)
        } catch where error.isNotFound {
            return nil
        }
        defer { file.close() }
        return try file.readAll(limit: limit)
    }
}

/// The directory part of `path` (`.` for a bare name, `/` for a name in the root).
public func parentDirectory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}
