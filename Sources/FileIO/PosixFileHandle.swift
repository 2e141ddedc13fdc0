#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open system file: a descriptor and the path it was opened at.
public struct PosixFileHandle: FileHandleIO {
    public let path: String
    /// The open descriptor, owned by this handle.
    public let descriptor: CInt

    /// A handle taking ownership of `descriptor`, opened at `path`.
    public init(path: String, descriptor: CInt) {
        self.path = path
        self.descriptor = descriptor
    }

    public func size() throws(FileIOError) -> Int {
        Int(try systemStatus().st_size)
    }

    public func modificationTime() throws(FileIOError) -> Int64 {
        #if canImport(Darwin)
        let time = try systemStatus().st_mtimespec
        #else
        let time = try systemStatus().st_mtim
        #endif
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    public func isRegularFile() throws(FileIOError) -> Bool {
        try status().kind == .regularFile
    }

    public func status() throws(FileIOError) -> FileStatus {
        FileStatus(try systemStatus())
    }

    /// A handle on a duplicate of standard input, owned by the caller; read it with `readSequentially(into:)`.
    public static func standardInput() throws(FileIOError) -> PosixFileHandle {
        PosixFileHandle(path: "standard input", descriptor: try systemCall("dup", "standard input") { dup(0) })
    }

    /// Reads from the current position (for pipes and terminals, which have
    /// no offsets) until `buffer` is full or the input ends; returns the bytes read.
    public func readSequentially(into buffer: UnsafeMutableRawBufferPointer) throws(FileIOError) -> Int {
        var done = 0
        while done < buffer.count {
            let count = try systemCall("read", path) { systemRead(descriptor, buffer.baseAddress! + done, buffer.count - done) }
            if count == 0 { break }
            done += count
        }
        return done
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(FileIOError) -> Int {
        var done = 0
        while done < buffer.count {
            let count = try systemCall("pread", path) {
                pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
            }
            if count == 0 { break }
            done += count
        }
        return done
    }

    public func write(_ pieces: [UnsafeRawBufferPointer], at offset: Int) throws(FileIOError) {
        var vectors = pieces.filter { $0.count > 0 }.map {
            iovec(iov_base: UnsafeMutableRawPointer(mutating: $0.baseAddress!), iov_len: $0.count)
        }
        var position = offset
        var first = 0
        while first < vectors.count {
            let written = try systemCall("pwritev", path) {
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

    public func truncate(to size: Int) throws(FileIOError) {
        try systemCall("ftruncate", path) { ftruncate(descriptor, off_t(size)) }
    }

    public func sync() throws(FileIOError) {
        try systemCall("fsync", path) { fsync(descriptor) }
    }

    public func copy(_ count: Int, from source: any FileHandleIO, at sourceOffset: Int, to offset: Int) throws(FileIOError) {
        guard let source = source as? PosixFileHandle else {
            return try copyThroughMemory(count, from: source, at: sourceOffset, to: offset)
        }
        #if canImport(Glibc)
        try systemCall("lseek", path) { lseek(descriptor, off_t(offset), SEEK_SET) }
        var input = off_t(sourceOffset)
        var left = count
        while left > 0 {
            let sent = try systemCall("sendfile", path) { sendfile(descriptor, source.descriptor, &input, left) }
            guard sent > 0 else { throw FileIOError(operation: "sendfile (source ended early)", path: source.path, code: EIO) }
            left -= sent
        }
        #else
        try copyThroughMemory(count, from: source, at: sourceOffset, to: offset)
        #endif
    }

    public func duplicate() throws(FileIOError) -> any FileHandleIO {
        PosixFileHandle(path: path, descriptor: try systemCall("dup", path) { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) })
    }

    public func tryLock() throws(FileIOError) -> Bool {
        do throws(FileIOError) {
            try systemCall("flock", path) { systemFlock(descriptor, LOCK_EX | LOCK_NB) }
            return true
        } catch where error.code == EWOULDBLOCK {
            return false
        }
    }

    public func duplicateDescriptor() throws(FileIOError) -> CInt? {
        try systemCall("dup", path) { fcntl(descriptor, F_DUPFD_CLOEXEC, 0) }
    }

    public func close() {
        systemClose(descriptor)
    }

    private func systemStatus() throws(FileIOError) -> stat {
        var info = stat()
        try systemCall("fstat", path) { fstat(descriptor, &info) }
        return info
    }

    /// IOV_MAX on Linux and Darwin.
    private static let maximumVectors = 1024
}
