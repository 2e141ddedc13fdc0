import FileIO
import NIOCore

/// Reads a byte range of an open file a piece at a time, for the body `get` returns.
actor FileRangeReader {
    private let file: OpenFile
    private let path: String
    private let key: ObjectKey
    private var position: Int64
    private let end: Int64

    /// A reader of `range` in `file`, the file of `key` at `path`.
    init(_ file: OpenFile, range: Range<Int64>, path: String, key: ObjectKey) {
        self.file = file
        self.path = path
        self.key = key
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// The next piece of at most `FileSystemObjectStore.pieceSize` bytes, or nil at the range's end.
    func next() async throws -> ByteBuffer? {
        guard position < end else { return nil }
        let count = Int(min(end - position, Int64(FileSystemObjectStore.pieceSize)))
        let piece = try await BlockingIO.run { [file, position, path, key] in
            try Self.read(count, at: position, from: file, path: path, key: key)
        }
        position += Int64(count)
        return piece
    }

    private static func read(_ count: Int, at offset: Int64, from file: OpenFile, path: String, key: ObjectKey) throws(ObjectStoreError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var failure: FileIOError?
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { space in
            do throws(FileIOError) {
                return try file.handle.read(into: UnsafeMutableRawBufferPointer(rebasing: space[..<count]), at: Int(offset))
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw .file(failure, "read", path: path, key: key) }
        guard buffer.readableBytes == count else {
            throw ObjectStoreError(.io, key: key.rawValue, "\(path) ended early: it was truncated while being read")
        }
        return buffer
    }
}
