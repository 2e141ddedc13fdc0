import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An anonymous temporary file (created in a directory and unlinked at
/// once, so nothing is left behind even after a crash) that payload bytes
/// beyond the memory budget are appended to and read back from. All I/O
/// runs on NIO's blocking thread pool, never on Swift's cooperative pool.
final class SpillFile: Sendable {
    private let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit { close(fd) }

    /// A new empty spill file in `directory`.
    static func create(in directory: String) async throws -> SpillFile {
        try await NIOThreadPool.singleton.runIfActive {
            var template = Array((directory + "/barge-spill-XXXXXX").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else { throw Self.error("create a spill file in \(directory)") }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
            return SpillFile(fd: fd)
        }
    }

    /// Writes `pieces` one after another starting at `offset`.
    func write(_ pieces: [[UInt8]], at offset: Int64) async throws {
        try await NIOThreadPool.singleton.runIfActive { [fd] in
            var position = offset
            for piece in pieces {
                var written = 0
                while written < piece.count {
                    let result = piece.withUnsafeBytes { pwrite(fd, $0.baseAddress! + written, piece.count - written, off_t(position) + off_t(written)) }
                    if result < 0 && errno == EINTR { continue }
                    guard result > 0 else { throw Self.error("write the spill file") }
                    written += result
                }
                position += Int64(piece.count)
            }
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    func read(count: Int, at offset: Int64) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { [fd] in
            try [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
                filled = 0
                while filled < count {
                    let result = pread(fd, buffer.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled))
                    if result < 0 && errno == EINTR { continue }
                    guard result > 0 else { throw Self.error("read the spill file") }
                    filled += result
                }
            }
        }
    }

    private static func error(_ what: String) -> BargeConsumerError {
        BargeConsumerError(.storage, "cannot \(what): \(String(cString: strerror(errno)))")
    }
}
