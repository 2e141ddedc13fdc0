#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// An open file descriptor and the few blocking POSIX calls the offsets store
/// makes on it. Every call retries `EINTR`, loops over short reads and
/// writes, and throws `OffsetStoreError(.storage)` naming the call, the path
/// and the system's reason. Whoever opens it closes it, exactly once.
struct OffsetLogFile: Sendable {
    let path: String
    let descriptor: CInt

    /// Opens `path` for reading and writing, creating it (mode 0644) when `create` is set.
    static func open(_ path: String, create: Bool) throws(OffsetStoreError) -> OffsetLogFile {
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT | O_TRUNC : 0)
        let descriptor = try retrying("open", path) { systemOpen(path, flags, 0o644) }
        return OffsetLogFile(path: path, descriptor: descriptor)
    }

    /// The file's size in bytes.
    func size() throws(OffsetStoreError) -> Int {
        var info = stat()
        try Self.retrying("fstat", path) { fstat(descriptor, &info) }
        return Int(info.st_size)
    }

    /// The whole file.
    func readAll() throws(OffsetStoreError) -> ByteBuffer {
        let count = try size()
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { (raw) throws(OffsetStoreError) -> Int in
            var done = 0
            while done < count {
                let read = try Self.retrying("pread", path) {
                    pread(descriptor, raw.baseAddress! + done, count - done, off_t(done))
                }
                if read == 0 { break }
                done += read
            }
            return done
        }
        return buffer
    }

    /// Writes all of `bytes` at `offset`.
    func write(_ bytes: ByteBuffer, at offset: Int) throws(OffsetStoreError) {
        try bytes.withUnsafeReadableBytes { (raw) throws(OffsetStoreError) in
            var done = 0
            while done < raw.count {
                done += try Self.retrying("pwrite", path) {
                    pwrite(descriptor, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                }
            }
        }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws(OffsetStoreError) {
        try Self.retrying("ftruncate", path) { ftruncate(descriptor, off_t(size)) }
    }

    /// Forces the file's data and size to disk.
    func sync() throws(OffsetStoreError) {
        try Self.retrying("fsync", path) { fsync(descriptor) }
    }

    /// Closes the descriptor; a failing close has nothing left to undo.
    func close() {
        _ = systemClose(descriptor)
    }

    /// Writes `bytes` to `path` so that a crash leaves the old or the new
    /// file: a temporary file, fsync, rename over `path`, fsync of `directory`.
    static func replace(_ path: String, with bytes: ByteBuffer, directory: String) throws(OffsetStoreError) {
        let temporary = path + ".tmp"
        let file = try open(temporary, create: true)
        do {
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
        } catch {
            file.close()
            throw error
        }
        try retrying("rename to \(path)", temporary) { systemRename(temporary, path) }
        try syncDirectory(directory)
    }

    /// Creates `path` and its missing parents.
    static func makeDirectories(_ path: String) throws(OffsetStoreError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST {
                throw system("mkdir", prefix, errno)
            }
        }
    }

    /// Forces a directory's entries (created, renamed, removed files) to disk.
    static func syncDirectory(_ path: String) throws(OffsetStoreError) {
        let descriptor = try retrying("open", path) { systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0) }
        defer { _ = systemClose(descriptor) }
        try retrying("fsync", path) { fsync(descriptor) }
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Removes a file; one that is already gone is fine.
    static func remove(_ path: String) throws(OffsetStoreError) {
        if unlink(path) != 0, errno != ENOENT { throw system("unlink", path, errno) }
    }

    /// Runs a system call until it does not fail with EINTR; throws on any other failure.
    @discardableResult
    private static func retrying<Result: BinaryInteger>(
        _ call: String, _ path: String, _ body: () -> Result
    ) throws(OffsetStoreError) -> Result {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = errno
            if code == EINTR { continue }
            throw system(call, path, code)
        }
    }

    private static func system(_ call: String, _ path: String, _ code: CInt) -> OffsetStoreError {
        OffsetStoreError(.storage, "\(call) of \(path) failed: \(String(cString: strerror(code))) (errno \(code))")
    }
}

// The C functions under names that the methods above do not shadow.
private func systemOpen(_ path: String, _ flags: CInt, _ mode: mode_t) -> CInt { open(path, flags, mode) }
private func systemClose(_ descriptor: CInt) -> CInt { close(descriptor) }
private func systemRename(_ from: String, _ to: String) -> CInt { rename(from, to) }
