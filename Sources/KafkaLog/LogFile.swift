import FileIO
import KafkaProtocol
import NIOCore

/// An open file of the log: a `FileHandleIO` whose failures are
/// `LogError(.storage)` naming the call, the path and the system's reason.
///
/// A plain value: whoever opens it closes it, exactly once.
struct LogFile: Sendable {
    let handle: any FileHandleIO

    var path: String { handle.path }

    /// The file's size in bytes.
    func size() throws(LogError) -> Int {
        try mappingFileErrors { () throws(FileIOError) in try handle.size() }
    }

    /// The file's last modification time in milliseconds since the epoch.
    func modificationTime() throws(LogError) -> Int64 {
        try mappingFileErrors { () throws(FileIOError) in try handle.modificationTime() }
    }

    /// Reads into `buffer` from `offset` until it is full or the file ends; returns the bytes read.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(LogError) -> Int {
        try mappingFileErrors { () throws(FileIOError) in try handle.read(into: buffer, at: offset) }
    }

    /// Reads up to `count` bytes at `offset` (fewer at the end of the file).
    func read(count: Int, at offset: Int) throws(LogError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { (raw) throws(LogError) -> Int in
            try read(into: UnsafeMutableRawBufferPointer(rebasing: raw[..<count]), at: offset)
        }
        return buffer
    }

    /// Writes the pieces one after another at `offset`.
    func write(_ pieces: [UnsafeRawBufferPointer], at offset: Int) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try handle.write(pieces, at: offset) }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try handle.truncate(to: size) }
    }

    /// Forces the file's data and size to disk.
    func sync() throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try handle.sync() }
    }

    /// Closes the file.
    func close() {
        handle.close()
    }

    /// Another handle on the file, owned by the caller; it stays open after
    /// this one is closed or the file is unlinked.
    func duplicate() throws(LogError) -> LogFile {
        LogFile(handle: try mappingFileErrors { () throws(FileIOError) in try handle.duplicate() })
    }

    /// Bytes `start..<end` for sending: a zero-copy region on a duplicate
    /// descriptor (which the receiver closes) for a system file, else the bytes read into memory.
    func records(from start: Int, to end: Int) throws(LogError) -> KafkaRecords.Part {
        if let descriptor = try mappingFileErrors({ () throws(FileIOError) in try handle.duplicateDescriptor() }) {
            let fileHandle = NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor)
            return .file(FileRegion(fileHandle: fileHandle, readerIndex: start, endIndex: end))
        }
        return .bytes(try read(count: end - start, at: start))
    }

    /// The CRC-32C of bytes `start..<end`, read through `chunk` a piece at a time.
    func checksum(from start: Int, to end: Int, chunk: UnsafeMutableRawBufferPointer, initial: CRC32C = CRC32C()) throws(LogError) -> UInt32 {
        var crc = initial
        var position = start
        while position < end {
            let count = min(chunk.count, end - position)
            let read = try read(into: UnsafeMutableRawBufferPointer(rebasing: chunk[..<count]), at: position)
            guard read == count else { throw LogError(.storage, "\(path) ended at \(position + read) while reading to \(end)") }
            crc.update(UnsafeRawBufferPointer(rebasing: chunk[..<count]))
            position += count
        }
        return crc.value
    }

    /// Copies `count` bytes at `sourceOffset` of `source` to `offset` of this
    /// file (inside the kernel for system files), without passing them through memory.
    func copy(_ count: Int, from source: LogFile, at sourceOffset: Int, to offset: Int) throws(LogError) {
        try mappingFileErrors { () throws(FileIOError) in try handle.copy(count, from: source.handle, at: sourceOffset, to: offset) }
    }
}

/// Runs a file operation, turning its failure into `LogError(.storage)`.
func mappingFileErrors<Result>(_ body: () throws(FileIOError) -> Result) throws(LogError) -> Result {
    do {
        return try body()
    } catch {
        throw LogError(error)
    }
}

extension LogError {
    /// A failed file operation, with the system's reason; `fileError` keeps it for callers.
    init(_ error: FileIOError) {
        self.init(.storage, error.description, fileError: error)
    }
}
