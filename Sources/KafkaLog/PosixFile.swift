#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// An open file descriptor and the few POSIX calls the log makes on it. Every
/// call retries `EINTR`, loops over short reads and writes, and throws
/// `LogError(.storage)` naming the call, the path and the system's reason.
///
/// A plain value: whoever opens it closes it, exactly once.
struct PosixFile {
    let path: String
    let descriptor: CInt

    /// Opens `path` for reading and writing, creating it (mode 0644) when `create` is set.
    static func open(_ path: String, create: Bool) throws(LogError) -> PosixFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        let descriptor = try retrying("open", path) { systemOpen(path, flags, 0o644) }
        return PosixFile(path: path, descriptor: descriptor)
    }

    /// The file's size in bytes.
    func size() throws(LogError) -> Int {
        Int(try status().st_size)
    }

    /// The file's last modification time in milliseconds since the epoch.
    func modificationTime() throws(LogError) -> Int64 {
        #if canImport(Darwin)
        let time = try status().st_mtimespec
        #else
        let time = try status().st_mtim
        #endif
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Reads into `buffer` from `offset` until it is full or the file ends; returns the bytes read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        var done = 0
        while done < buffer.count {
            let count = try Self.retrying("pread", path) {
                pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    func read(count: Int, at offset: Int) throws(LogError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { (raw) throws(LogError) -> Int in
            try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<count]), at: offset)
        }
        return buffer
    }

    /// Writes the pieces one after another at `offset` with as few `pwritev` calls as the kernel allows.
    func write(_ pieces: [UnsafeRawBufferPointer], at offset: Int) throws(LogError) {
        var vectors = pieces.filter { $0.count > 0 }.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress!), iov_len: $0.count)
        }
        var position = offset
        var first = 0
        while first < vectors.count {
            let written = try Self.retrying("pwritev", path) {
                vectors[first...].withUnsafeBufferPointer {
                    pwritev(descriptor, $0.baseAddress!, CInt(min($0.count, Self.maximumVectors)), off_t(position))
                }
            }
            position += written
            var left = written
            while first < vectors.count, left >= vectors[first].iov_len {
                left -= vectors[first].iov_len
                first += 1
            }
            if left > 0 {
                vectors[first].iov_base += left
                vectors[first].iov_len -= left
            }
        }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws(LogError) {
        _ = try Self.retrying("ftruncate", path) { ftruncate(descriptor, off_t(size)) }
    }

    /// Forces the file's data and size to disk.
    func sync() throws(LogError) {
        _ = try Self.retrying("fsync", path) { fsync(descriptor) }
    }

    /// Closes the descriptor. A failing close has nothing left to undo, so it is ignored.
    func close() {
        systemClose(descriptor)
    }

    /// A duplicate of the descriptor, owned by the caller. Its file stays
    /// open after this descriptor is closed or the file is unlinked.
    func duplicateDescriptor() throws(LogError) -> CInt {
        try Self.retrying("dup", path) { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }
    }

    /// A handle on a duplicate of the descriptor, owned by the caller.
    func duplicateHandle() throws(LogError) -> NIOFileHandle {
        NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: try duplicateDescriptor())
    }

    private func status() throws(LogError) -> stat {
        var info = stat()
        _ = try Self.retrying("fstat", path) { fstat(descriptor, &info) }
        return info
    }

    /// Runs a system call until it does not fail with EINTR; throws on any other failure.
    @discardableResult
    static func retrying<Result: BinaryInteger>(_ call: String, _ path: String, _ body: () -> Result) throws(LogError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw LogError.system(call, path, code)
        }
    }

    /// IOV_MAX on Linux and Darwin.
    private static let maximumVectors = 1024
}

/// Directory operations on paths.
enum FileSystem {
    /// Creates `path` and its missing parents.
    static func makeDirectories(_ path: String) throws(LogError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw LogError.system("mkdir", prefix, errno)
            }
        }
    }

    /// The names in a directory, without `.` and `..`.
    static func list(_ path: String) throws(LogError) -> [String] {
        guard let directory = opendir(path) else {
            throw LogError.system("opendir", path, errno)
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Removes a file; a file that is already gone is fine.
    static func remove(_ path: String) throws(LogError) {
        if unlink(path) != 0, errno != ENOENT {
            throw LogError.system("unlink", path, errno)
        }
    }

    /// Removes an empty directory; one that is already gone is fine.
    static func removeDirectory(_ path: String) throws(LogError) {
        if rmdir(path) != 0, errno != ENOENT {
            throw LogError.system("rmdir", path, errno)
        }
    }

    /// Renames `from` to `to`, replacing `to`.
    static func rename(_ from: String, _ to: String) throws(LogError) {
        _ = try PosixFile.retrying("rename to \(to)", from) { systemRename(from, to) }
    }

    /// Forces a directory's entries (created, renamed, removed files) to disk.
    static func syncDirectory(_ path: String) throws(LogError) {
        let descriptor = try PosixFile.retrying("open", path) { systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        defer { systemClose(descriptor) }
        _ = try PosixFile.retrying("fsync", path) { fsync(descriptor) }
    }

    /// Writes `bytes` to `path` durably and atomically: a temporary file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ bytes: ByteBuffer, to path: String, directory: String) throws(LogError) {
        let temporary = path + ".tmp"
        let file = try PosixFile.open(temporary, create: true)
        do {
            try file.truncate(to: 0)
            try bytes.withUnsafeReadableBytes { (raw) throws(LogError) in try file.write([raw], at: 0) }
            try file.sync()
            file.close()
        } catch {
            file.close()
            throw error
        }
        try rename(temporary, path)
        try syncDirectory(directory)
    }

    /// The contents of a file, or nil when it does not exist.
    static func readWholeFile(_ path: String, limit: Int) throws(LogError) -> ByteBuffer? {
        guard exists(path) else { return nil }
        let file = try PosixFile.open(path, create: false)
        defer { file.close() }
        return try file.read(count: min(try file.size(), limit), at: 0)
    }
}

extension LogError {
    /// A failed system call, with the system's reason.
    static func system(_ call: String, _ path: String, _ code: CInt) -> LogError {
        LogError(.storage, "\(call) of \(path) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}

// The C functions under names that the methods above do not shadow.
private func systemOpen(_ path: String, _ flags: CInt, _ mode: mode_t) -> CInt { open(path, flags, mode) }
private func systemClose(_ descriptor: CInt) { _ = close(descriptor) }
private func systemRename(_ from: String, _ to: String) -> CInt { rename(from, to) }
