import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read a chunk at a time on NIO's blocking thread pool, never on
/// Swift's cooperative pool. The descriptor is closed at the end of the
/// file, on a read error, or when the sequence is dropped.
struct FileChunks: AsyncSequence, Sendable {
    fileprivate final class Descriptor: Sendable {
        let fd: Int32
        init(_ fd: Int32) { self.fd = fd }
        deinit { close(fd) }
    }

    private let descriptor: Descriptor
    let size: Int64
    let chunkSize: Int

    static func open(_ path: String, chunkSize: Int) async throws -> FileChunks {
        try await NIOThreadPool.singleton.runIfActive {
            let fd = systemOpen(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw BargeProducerError(.unreadableFile, "\(path): \(String(cString: strerror(errno)))")
            }
            var status = stat()
            guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                close(fd)
                throw BargeProducerError(.unreadableFile, "\(path): not a regular file")
            }
            return FileChunks(descriptor: Descriptor(fd), size: Int64(status.st_size), chunkSize: chunkSize)
        }
    }

    /// Standard input, read until its end (its size is not known up front).
    static func standardInput(chunkSize: Int) -> FileChunks {
        FileChunks(descriptor: Descriptor(dup(0)), size: -1, chunkSize: chunkSize)
    }

    func makeAsyncIterator() -> Iterator { Iterator(descriptor: descriptor, chunkSize: chunkSize) }

    struct Iterator: AsyncIteratorProtocol {
        fileprivate let descriptor: Descriptor
        let chunkSize: Int
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            let (descriptor, chunkSize) = (self.descriptor, self.chunkSize)
            let chunk = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
                var filled = 0
                let bytes = try [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, count in
                    while filled < chunkSize {
                        let read = systemRead(descriptor.fd, buffer.baseAddress! + filled, chunkSize - filled)
                        if read < 0 && errno == EINTR { continue }
                        guard read >= 0 else { throw BargeProducerError(.unreadableFile, String(cString: strerror(errno))) }
                        if read == 0 { break }
                        filled += read
                    }
                    count = filled
                }
                return bytes
            }
            if chunk.count < chunkSize { finished = true }
            return chunk.isEmpty ? nil : chunk
        }
    }
}

/// POSIX `read`, named apart from methods called `read`.
func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}

/// POSIX `open`, named apart from functions called `open`.
func systemOpen(_ path: String, _ flags: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags)
    #else
    Darwin.open(path, flags)
    #endif
}
