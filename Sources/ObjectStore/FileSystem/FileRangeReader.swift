#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Reads a byte range of an open file a piece at a time, for the body `get` returns.
actor FileRangeReader {
    private let file: PosixDescriptor
    private let path: String
    private let key: ObjectKey
    private var position: Int64
    private let end: Int64

    /// A reader of `range` in `file`, the file of `key` at `path`.
    init(_ file: PosixDescriptor, range: Range<Int64>, path: String, key: ObjectKey) {
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

    private static func read(_ count: Int, at offset: Int64, from file: PosixDescriptor, path: String, key: ObjectKey) throws(ObjectStoreError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        while buffer.readableBytes < count {
            let filled = buffer.readableBytes
            var result = 0
            var code: Int32 = 0
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - filled) { space in
                result = pread(file.raw, space.baseAddress, count - filled, off_t(offset) + off_t(filled))
                if result < 0 { code = errno }
                return max(result, 0)
            }
            if result < 0 {
                if code == EINTR { continue }
                throw .posix(code, "read", path: path, key: key)
            }
            if result == 0 {
                throw ObjectStoreError(.io, key: key.rawValue, "\(path) ended early: it was truncated while being read")
            }
        }
        return buffer
    }
}
