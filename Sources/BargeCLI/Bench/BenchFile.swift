import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file a benchmark reads or writes, every call on an ``IOThread`` of its
/// own, so blocking I/O never runs on Swift's cooperative pool. Call
/// ``release()`` when done: it closes the file and ends the thread.
final class BenchFile: Sendable {
    let path: String
    private let fd: Int32
    private let thread: IOThread

    private init(path: String, fd: Int32, thread: IOThread) {
        self.path = path
        self.fd = fd
        self.thread = thread
    }

    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) async throws -> BenchFile {
        try await opened(path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, what: "create")
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) async throws -> BenchFile {
        try await opened(path, flags: O_RDONLY | O_CLOEXEC, what: "open")
    }

    private static func opened(_ path: String, flags: Int32, what: String) async throws -> BenchFile {
        let thread = IOThread(name: "barge-bench-io")
        do {
            let fd = try await thread.run {
                let fd = open(path, flags, 0o644)
                guard fd >= 0 else { throw failure("\(what) \(path)") }
                return fd
            }
            return BenchFile(path: path, fd: fd, thread: thread)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// The next `count` bytes, fewer only at the end of the file (none there).
    func readChunk(_ count: Int) async throws -> [UInt8] {
        try await thread.run { [fd, path] in
            try [UInt8](unsafeUninitializedCapacity: count) { buffer, filled in
                filled = 0
                while filled < count {
                    let result = read(fd, buffer.baseAddress! + filled, count - filled)
                    if result < 0 && errno == EINTR { continue }
                    guard result >= 0 else { throw Self.failure("read \(path)") }
                    if result == 0 { break }
                    filled += result
                }
            }
        }
    }

    /// Appends `bytes`.
    func append(_ bytes: [UInt8]) async throws {
        try await thread.run { [fd, path] in
            try bytes.withUnsafeBytes { try Self.writeAll(fd, $0, path: path) }
        }
    }

    /// Appends `size` bytes of cheap pseudo-random data (SplitMix64, seeded
    /// with `seed`): incompressible enough for a benchmark without
    /// compression, and never repeating within the file.
    func appendPseudoRandom(size: Int64, seed: UInt64) async throws {
        try await thread.run { [fd, path] in
            let blockWords = 2 << 20  // 16 MiB per write
            var state = seed
            var block = [UInt64](repeating: 0, count: blockWords)
            var left = size
            while left > 0 {
                for index in block.indices {
                    state &+= 0x9E37_79B9_7F4A_7C15
                    var z = state
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    block[index] = z ^ (z >> 31)
                }
                let count = Int(min(left, Int64(blockWords * 8)))
                try block.withUnsafeBytes { try Self.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0.prefix(count)), path: path) }
                left -= Int64(count)
            }
        }
    }

    /// Flushes what was written to the disk (`fsync`).
    func sync() async throws {
        try await thread.run { [fd, path] in
            guard fsync(fd) == 0 else { throw Self.failure("sync \(path)") }
        }
    }

    /// Closes the file and ends its thread.
    func release() async {
        _ = try? await thread.run { [fd] in close(fd) }
        thread.stop()
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var written = 0
        while written < bytes.count {
            let result = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { throw failure("write \(path)") }
            written += result
        }
    }

    private static func failure(_ what: String) -> BenchFailure {
        BenchFailure("cannot \(what): \(String(cString: strerror(errno)))")
    }
}

/// The size of the file at `path`, in bytes.
func fileSize(_ path: String) throws -> Int64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    guard let size = attributes[.size] as? NSNumber else { throw BenchFailure("no size for \(path)") }
    return size.int64Value
}
