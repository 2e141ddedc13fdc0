#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file. A plain value: whoever opens it closes it, exactly once.
/// Reads and writes take an explicit offset and loop until done; every
/// method blocks on the disk.
public protocol FileHandleIO: Sendable {
    /// The path the file was opened at (a descriptive name for an anonymous file).
    var path: String { get }

    /// The file's size in bytes.
    func size() throws(FileIOError) -> Int

    /// The last modification time in milliseconds since the epoch.
    func modificationTime() throws(FileIOError) -> Int64

    /// Whether the file is a regular file (not a directory, device, pipe or socket).
    func isRegularFile() throws(FileIOError) -> Bool

    /// The file's kind, size and modification time.
    func status() throws(FileIOError) -> FileStatus

    /// Reads into `buffer` from `offset` until it is full or the file ends; returns the bytes read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(FileIOError) -> Int

    /// Writes all of `pieces`, one after another, at `offset`.
    func write(_ pieces: [UnsafeRawBufferPointer], at offset: Int) throws(FileIOError)

    /// Cuts (or extends with zeros) the file to `size` bytes.
    func truncate(to size: Int) throws(FileIOError)

    /// Forces the file's data and size to disk (fsync).
    func sync() throws(FileIOError)

    /// Copies `count` bytes at `sourceOffset` of `source` to `offset` of this file
    /// (inside the kernel where both are real files).
    func copy(_ count: Int, from source: any FileHandleIO, at sourceOffset: Int, to offset: Int) throws(FileIOError)

    /// Another handle on the same open file, owned by the caller; it stays
    /// valid after this one is closed or the file is unlinked.
    func duplicate() throws(FileIOError) -> any FileHandleIO

    /// Takes the file's advisory exclusive lock (flock) without waiting;
    /// false when another open file holds it. Closing the handle releases it.
    func tryLock() throws(FileIOError) -> Bool

    /// A new descriptor of the file for zero-copy sending, owned by the
    /// caller, or nil when the file is not a system file (in memory).
    func duplicateDescriptor() throws(FileIOError) -> CInt?

    /// Closes the file. A failing close has nothing left to undo, so it is ignored.
    func close()
}

extension FileHandleIO {
    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws(FileIOError) {
        try write([bytes], at: offset)
    }

    /// Writes all of `bytes` at `offset`.
    public func write(_ bytes: [UInt8], at offset: Int) throws(FileIOError) {
        try bytes.withUnsafeBytes { raw in Result { () throws(FileIOError) in try write([raw], at: offset) } }.get()
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    public func read(count: Int, at offset: Int) throws(FileIOError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(FileIOError) -> Int in try self.read(into: raw, at: offset) }
        }.get()
        bytes.removeLast(count - read)
        return bytes
    }

    /// The whole file, or an error when it is larger than `limit` bytes.
    public func readAll(limit: Int = .max) throws(FileIOError) -> [UInt8] {
        let size = try size()
        guard size <= limit else { throw FileIOError(operation: "read (larger than \(limit) bytes)", path: path, code: FileIOError.tooLarge) }
        return try read(count: size, at: 0)
    }

    /// Copies through a buffer in memory, for files that the kernel cannot copy between.
    func copyThroughMemory(_ count: Int, from source: any FileHandleIO, at sourceOffset: Int, to offset: Int) throws(FileIOError) {
        let chunkSize = min(count, 1 << 20)
        guard chunkSize > 0 else { return }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        var done = 0
        while done < count {
            let piece = min(chunkSize, count - done)
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<piece]), at: sourceOffset + done)
            guard read == piece else { throw FileIOError(operation: "copy (source ended early)", path: source.path, code: EIO) }
            try write([UnsafeRawBufferPointer(rebasing: chunk[..<piece])], at: offset + done)
            done += piece
        }
    }
}
