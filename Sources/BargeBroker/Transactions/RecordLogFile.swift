import FileIO
import KafkaProtocol
import NIOCore

/// A durable append-only file of checksummed records after a fixed header,
/// for the coordinators' state: each record is framed as its body length
/// (UInt32), the CRC-32C of the body (UInt32) and the body, big-endian.
///
/// `open` replays the file up to the first torn or corrupt record and cuts
/// it there (a torn record was never acknowledged); a file with another
/// header is refused and left alone. `append` writes and fsyncs before it
/// returns, and cuts a failed write off again; when the outcome on disk
/// cannot be known (a failed fsync or cut), the file refuses further
/// appends until it is opened again. `replace` rewrites the whole file
/// atomically (compaction). Not thread-safe: its owner serialises calls.
/// Every call blocks on file I/O.
final class RecordLogFile {
    /// Why a record log could not be used: the call, the path and the system's reason.
    struct Failure: Error, CustomStringConvertible, Sendable {
        let description: String
    }

    /// What opening found.
    struct Loaded {
        var bodies: [ByteBuffer]
        /// Why replay stopped before the end (the tail that was cut off); nil when every byte was read.
        var cutTail: String?
    }

    let path: String
    private let header: [UInt8]
    private let fileSystem: any FileSystemIO
    private var handle: (any FileHandleIO)?
    /// The end of the last intact record.
    private(set) var size = 0
    private var failure: String?

    private init(path: String, header: [UInt8], fileSystem: any FileSystemIO) {
        self.path = path
        self.header = header
        self.fileSystem = fileSystem
    }

    deinit { handle?.close() }

    /// Opens (creating with `header`) the file at `path` in `directory` and returns it with its records' bodies.
    static func open(
        directory: String, name: String, header: [UInt8], fileSystem: any FileSystemIO
    ) throws(Failure) -> (RecordLogFile, Loaded) {
        let path = directory + "/" + name
        let file = RecordLogFile(path: path, header: header, fileSystem: fileSystem)
        try file.io { () throws(FileIOError) in
            try fileSystem.makeDirectories(directory, durably: true)
            try fileSystem.removeIfPresent(path + ".tmp")
            if !fileSystem.exists(path) {
                try fileSystem.writeAtomically(header, to: path)
            }
            file.handle = try fileSystem.open(path, mode: .readWrite)
        }
        let bytes = ByteBuffer(bytes: try file.io { () throws(FileIOError) in try file.handle!.readAll() })
        let loaded = try file.scan(bytes)
        if loaded.cutTail != nil {
            try file.io { () throws(FileIOError) in
                try file.handle!.truncate(to: file.size)
                try file.handle!.sync()
            }
        }
        return (file, loaded)
    }

    /// Appends `bodies` as records with one write and one fsync.
    func append(_ bodies: [ByteBuffer]) throws(Failure) {
        if let failure { throw Failure(description: "\(path) refuses changes until reopened, after: \(failure)") }
        guard let handle else { throw Failure(description: "\(path) is closed") }
        let bytes = Self.frame(bodies)
        do {
            try bytes.withUnsafeReadableBytes { (raw) throws(FileIOError) in try handle.write([raw], at: size) }
        } catch {
            do {
                try handle.truncate(to: size)
            } catch let cut {
                failure = "\(error); then \(cut)"
            }
            throw Failure(description: error.description)
        }
        do {
            try handle.sync()
        } catch {
            failure = error.description
            throw Failure(description: error.description)
        }
        size += bytes.readableBytes
    }

    /// Rewrites the file with only `bodies` (temporary file, fsync, rename, fsync of the folder).
    func replace(with bodies: [ByteBuffer]) throws(Failure) {
        var bytes = ByteBuffer(bytes: header)
        var framed = Self.frame(bodies)
        bytes.writeBuffer(&framed)
        try io { () throws(FileIOError) in
            try bytes.withUnsafeReadableBytes { (raw) throws(FileIOError) in try fileSystem.writeAtomically(raw, to: path) }
        }
        // The old descriptor names the replaced file now.
        handle?.close()
        handle = nil
        do {
            handle = try io { () throws(FileIOError) in try fileSystem.open(path, mode: .readWrite) }
        } catch {
            failure = error.description
            throw error
        }
        size = bytes.readableBytes
    }

    /// Closes the file; later appends throw.
    func close() {
        handle?.close()
        handle = nil
    }

    static func frame(_ bodies: [ByteBuffer]) -> ByteBuffer {
        var bytes = ByteBuffer()
        for body in bodies {
            bytes.writeInteger(UInt32(body.readableBytes))
            bytes.writeInteger(CRC32C.checksum(body.readableBytesView))
            bytes.writeImmutableBuffer(body)
        }
        return bytes
    }

    private func scan(_ bytes: ByteBuffer) throws(Failure) -> Loaded {
        var buffer = bytes
        guard buffer.readBytes(length: header.count) == header else {
            throw Failure(description: "\(path) does not start with the header \(header): not a file this broker wrote")
        }
        var loaded = Loaded(bodies: [])
        size = header.count
        while buffer.readableBytes > 0 {
            let start = size
            guard buffer.readableBytes >= 8, let length = buffer.readInteger(as: UInt32.self), let crc = buffer.readInteger(as: UInt32.self),
                  Int(length) <= buffer.readableBytes else {
                loaded.cutTail = "torn record at byte \(start)"
                return loaded
            }
            let body = buffer.readSlice(length: Int(length))!
            guard CRC32C.checksum(body.readableBytesView) == crc else {
                loaded.cutTail = "corrupt record at byte \(start): its CRC-32C does not match"
                return loaded
            }
            loaded.bodies.append(body)
            size = start + 8 + Int(length)
        }
        return loaded
    }

    private func io<Result>(_ body: () throws(FileIOError) -> Result) throws(Failure) -> Result {
        do {
            return try body()
        } catch {
            throw Failure(description: error.description)
        }
    }
}
