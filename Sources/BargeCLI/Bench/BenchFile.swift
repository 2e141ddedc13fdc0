import FileIO
import Foundation

/// A file a benchmark reads or writes in order, every call on an
/// ``IOThread`` of its own, so blocking I/O never runs on Swift's
/// cooperative pool. Call ``release()`` when done: it closes the file and
/// ends the thread.
final class BenchFile: Sendable {
    let path: String
    private let file: any FileHandleIO
    private let cursor: Cursor
    private let thread: IOThread

    /// Where the next read or write goes; touched only on the file's ``IOThread``.
    private final class Cursor: @unchecked Sendable {
        var position = 0
    }

    private init(path: String, file: any FileHandleIO, thread: IOThread) {
        self.path = path
        self.file = file
        self.cursor = Cursor()
        self.thread = thread
    }

    /// Creates (or truncates) `path` for writing.
    static func create(_ path: String) async throws -> BenchFile {
        try await opened(path, mode: .replace, what: "create")
    }

    /// Opens `path` for reading.
    static func openForReading(_ path: String) async throws -> BenchFile {
        try await opened(path, mode: .read, what: "open")
    }

    private static func opened(_ path: String, mode: FileOpenMode, what: String) async throws -> BenchFile {
        let thread = IOThread(name: "barge-bench-io")
        do {
            let file = try await thread.run {
                try checked(what, path) { () throws(FileIOError) in try PosixFileSystem().open(path, mode: mode) }
            }
            return BenchFile(path: path, file: file, thread: thread)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// The next `count` bytes, fewer only at the end of the file (none there).
    func readChunk(_ count: Int) async throws -> [UInt8] {
        try await thread.run { [file, cursor, path] in
            let bytes = try Self.checked("read", path) { () throws(FileIOError) in try file.read(count: count, at: cursor.position) }
            cursor.position += bytes.count
            return bytes
        }
    }

    /// Appends `bytes`.
    func append(_ bytes: [UInt8]) async throws {
        try await thread.run { [file, cursor, path] in
            try Self.checked("write", path) { () throws(FileIOError) in try file.write(bytes, at: cursor.position) }
            cursor.position += bytes.count
        }
    }

    /// Appends `size` bytes of cheap pseudo-random data (SplitMix64, seeded
    /// with `seed`): incompressible enough for a benchmark without
    /// compression, and never repeating within the file.
    func appendPseudoRandom(size: Int64, seed: UInt64) async throws {
        try await thread.run { [file, cursor, path] in
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
                try block.withUnsafeBytes { raw in
                    try Self.checked("write", path) { () throws(FileIOError) in
                        try file.write([UnsafeRawBufferPointer(rebasing: raw.prefix(count))], at: cursor.position)
                    }
                }
                cursor.position += count
                left -= Int64(count)
            }
        }
    }

    /// Flushes what was written to the disk (`fsync`).
    func sync() async throws {
        try await thread.run { [file, path] in
            try Self.checked("sync", path) { () throws(FileIOError) in try file.sync() }
        }
    }

    /// Closes the file and ends its thread.
    func release() async {
        _ = try? await thread.run { [file] in file.close() }
        thread.stop()
    }

    /// Runs a file operation, turning its failure into a ``BenchFailure`` saying what could not be done.
    private static func checked<Result>(_ what: String, _ path: String, _ body: () throws(FileIOError) -> Result) throws -> Result {
        do {
            return try body()
        } catch {
            throw BenchFailure("cannot \(what) \(path): \(error.reason)")
        }
    }
}

/// The size of the file at `path`, in bytes.
func fileSize(_ path: String) throws -> Int64 {
    do throws(FileIOError) {
        return Int64(try PosixFileSystem().fileSize(path))
    } catch {
        throw BenchFailure("no size for \(path): \(error.reason)")
    }
}
