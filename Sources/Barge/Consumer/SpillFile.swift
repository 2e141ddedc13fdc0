import FileIO
import NIOPosix

/// An anonymous temporary file (it has no name, so nothing is left behind
/// even after a crash) that payload bytes beyond the memory budget are
/// appended to and read back from. All I/O runs on NIO's blocking thread
/// pool, never on Swift's cooperative pool. Failures are
/// `BargeConsumerError(.storage)` naming the file operation and its cause.
final class SpillFile: Sendable {
    private let file: any FileHandleIO

    private init(file: any FileHandleIO) {
        self.file = file
    }

    deinit { file.close() }

    /// A new empty spill file in `directory` of `fileSystem`.
    static func create(in directory: String, fileSystem: any FileSystemIO) async throws -> SpillFile {
        try await NIOThreadPool.singleton.runIfActive {
            do {
                return SpillFile(file: try fileSystem.openAnonymous(in: directory))
            } catch {
                throw BargeConsumerError(.storage, "cannot create a spill file: \(error)")
            }
        }
    }

    /// Writes `pieces` one after another starting at `offset`.
    func write(_ pieces: [[UInt8]], at offset: Int64) async throws {
        try await NIOThreadPool.singleton.runIfActive { [file] in
            var position = Int(offset)
            do {
                for piece in pieces {
                    try file.write(piece, at: position)
                    position += piece.count
                }
            } catch {
                throw BargeConsumerError(.storage, "cannot write the spill file: \(error)")
            }
        }
    }

    /// Reads exactly `count` bytes at `offset`.
    func read(count: Int, at offset: Int64) async throws -> [UInt8] {
        try await NIOThreadPool.singleton.runIfActive { [file] in
            let bytes: [UInt8]
            do {
                bytes = try file.read(count: count, at: Int(offset))
            } catch {
                throw BargeConsumerError(.storage, "cannot read the spill file: \(error)")
            }
            guard bytes.count == count else {
                throw BargeConsumerError(.storage, "the spill file \(file.path) ends \(count - bytes.count) bytes early at \(Int(offset) + bytes.count)")
            }
            return bytes
        }
    }
}
