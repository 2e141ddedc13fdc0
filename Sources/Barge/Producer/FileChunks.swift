import FileIO
import NIOPosix

/// A file read a chunk at a time on NIO's blocking thread pool, never on
/// Swift's cooperative pool. The file is closed at the end of the
/// file, on a read error, or when the sequence is dropped.
struct FileChunks: AsyncSequence, Sendable {
    fileprivate final class Source: Sendable {
        /// A file read at offsets, or standard input read in order.
        let file: any FileHandleIO
        let isSequential: Bool
        init(_ file: any FileHandleIO, isSequential: Bool) {
            self.file = file
            self.isSequential = isSequential
        }
        deinit { file.close() }

        func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(FileIOError) -> Int {
            if isSequential, let input = file as? PosixFileHandle { return try input.readSequentially(into: buffer) }
            return try file.read(into: buffer, at: offset)
        }
    }

    private let source: Source
    let size: Int64
    let chunkSize: Int

    static func open(_ path: String, chunkSize: Int, fileSystem: any FileSystemIO = PosixFileSystem()) async throws -> FileChunks {
        try await NIOThreadPool.singleton.runIfActive {
            let file: any FileHandleIO
            do throws(FileIOError) {
                file = try fileSystem.open(path, mode: .read)
            } catch {
                throw BargeProducerError(.unreadableFile, "\(path): \(error.reason)")
            }
            do {
                guard try file.isRegularFile() else {
                    file.close()
                    throw BargeProducerError(.unreadableFile, "\(path): not a regular file")
                }
                return FileChunks(source: Source(file, isSequential: false), size: Int64(try file.size()), chunkSize: chunkSize)
            } catch let error as FileIOError {
                file.close()
                throw BargeProducerError(.unreadableFile, "\(path): \(error.reason)")
            }
        }
    }

    /// Standard input, read until its end (its size is not known up front).
    static func standardInput(chunkSize: Int) throws -> FileChunks {
        do throws(FileIOError) {
            return FileChunks(source: Source(try PosixFileHandle.standardInput(), isSequential: true), size: -1, chunkSize: chunkSize)
        } catch {
            throw BargeProducerError(.unreadableFile, "standard input: \(error.reason)")
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(source: source, chunkSize: chunkSize) }

    struct Iterator: AsyncIteratorProtocol {
        fileprivate let source: Source
        let chunkSize: Int
        var position = 0
        var finished = false

        mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            let (source, chunkSize, position) = (self.source, self.chunkSize, self.position)
            let chunk = try await NIOThreadPool.singleton.runIfActive { () throws -> [UInt8] in
                try [UInt8](unsafeUninitializedCapacity: chunkSize) { buffer, count in
                    count = 0
                    do throws(FileIOError) {
                        count = try source.read(into: UnsafeMutableRawBufferPointer(buffer), at: position)
                    } catch {
                        throw BargeProducerError(.unreadableFile, error.reason)
                    }
                }
            }
            self.position += chunk.count
            if chunk.count < chunkSize { finished = true }
            return chunk.isEmpty ? nil : chunk
        }
    }
}
