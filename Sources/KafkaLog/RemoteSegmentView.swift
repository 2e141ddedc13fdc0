import FileIO
import KafkaProtocol
import NIOCore

/// A segment of the remote tier read through local files: its offset and
/// time indexes, and those of its chunks (fixed-size pieces of the segment's
/// log file) that a cache holds. Batches are found exactly as in a local
/// segment (`BatchFile`).
///
/// When a read needs a chunk that `chunkLocation` does not give (or whose
/// file is gone by the time it is opened), it throws
/// `LogError(.remoteChunkMissing)` with `missingChunk` set: the caller
/// fetches that chunk and asks again.
///
/// Blocking (file reads); not thread-safe: one view serves one request and is closed after it.
public final class RemoteSegmentView: BatchFile {
    public let baseOffset: Int64
    /// Bytes of whole batches in the segment.
    public let size: Int
    /// Bytes of the segment in each chunk (the last one may hold fewer).
    public let chunkSize: Int
    let offsetIndex: OffsetIndex
    let timeIndex: TimeIndex
    private let storage: LogStorage
    private let chunkLocation: (Int) -> ChunkLocation?
    private var openChunks: [Int: (file: LogFile, offset: Int)] = [:]
    private var isClosed = false

    /// Opens the segment's index files (complete, as written by the log).
    ///
    /// Where a chunk's bytes are: a file (a cache file, whose first byte is the
    /// chunk's), or an open file and the position of the chunk's first byte in
    /// it (the view closes it).
    public enum ChunkLocation {
        case path(String)
        case open(any FileHandleIO, offset: Int)
    }

    /// - Parameter chunkLocation: where chunk `n` (bytes `n * chunkSize ..< (n + 1) * chunkSize`) is, nil when it is not at hand.
    public init(
        baseOffset: Int64, size: Int, chunkSize: Int, offsetIndexPath: String, timeIndexPath: String,
        fileSystem: any FileSystemIO = PosixFileSystem(), chunkLocation: @escaping (Int) -> ChunkLocation?
    ) throws(LogError) {
        precondition(chunkSize > 0)
        let storage = LogStorage(fileSystem: fileSystem)
        self.baseOffset = baseOffset
        self.size = size
        self.chunkSize = chunkSize
        self.storage = storage
        self.chunkLocation = chunkLocation
        let offsetIndex = try OffsetIndex(storage: storage, path: offsetIndexPath, baseOffset: baseOffset, readOnly: true)
        do {
            self.timeIndex = try TimeIndex(storage: storage, path: timeIndexPath, baseOffset: baseOffset, readOnly: true)
        } catch {
            offsetIndex.file.file.close()
            throw error
        }
        self.offsetIndex = offsetIndex
    }

    deinit { close() }

    var sourceName: String { "remote segment \(baseOffset)" }

    /// The number of chunks.
    public var chunkCount: Int { (size + chunkSize - 1) / chunkSize }

    /// The chunks holding bytes `start..<end`.
    public func chunks(from start: Int, to end: Int) -> Range<Int> {
        guard end > start else { return start / chunkSize ..< start / chunkSize }
        return start / chunkSize ..< (end - 1) / chunkSize + 1
    }

    /// Whole batches from the one holding `offset`, as `PartitionLog.read`
    /// returns them (file regions of the chunk files, which the caller closes):
    /// at most `maxBytes`, but the first batch anyway when `minOneBatch`.
    /// Empty when no batch holds or follows `offset` in this segment.
    /// `end` is where the records end in the segment (for reading ahead).
    public func read(from offset: Int64, maxBytes: Int, minOneBatch: Bool) throws(LogError) -> (records: KafkaRecords, end: Int) {
        var records = KafkaRecords()
        guard let (parts, _, end) = try batches(from: offset, maxBytes: maxBytes, minOneBatch: minOneBatch) else { return (records, size) }
        parts.forEach { records.append($0) }
        return (records, end)
    }

    /// The first record at or after `minimumOffset` whose timestamp is at or after `timestamp` (ListOffsets by time).
    public func offset(forTimestamp timestamp: Int64, atOrAfter minimumOffset: Int64) throws(LogError) -> TimestampedOffset? {
        try firstRecord(withTimestampAtLeast: timestamp, offsetAtLeast: minimumOffset)
    }

    /// Closes the index and chunk files (regions handed out keep their own descriptors).
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        offsetIndex.file.file.close()
        timeIndex.file.file.close()
        openChunks.values.forEach { $0.file.close() }
        openChunks.removeAll()
    }

    func readBytes(count: Int, at position: Int) throws(LogError) -> ByteBuffer {
        var result = ByteBufferAllocator().buffer(capacity: count)
        var position = position
        let end = min(position + count, size)
        while position < end {
            let chunk = position / chunkSize
            let within = position - chunk * chunkSize
            let length = min(end - position, chunkSize - within)
            let (file, start) = try chunkFile(chunk)
            var piece = try file.read(count: length, at: start + within)
            guard piece.readableBytes == length else {
                throw LogError(.storage, "chunk \(chunk) of \(sourceName) holds \(within + piece.readableBytes) bytes, fewer than its \(within + length)")
            }
            result.writeBuffer(&piece)
            position += length
        }
        return result
    }

    func records(from start: Int, to end: Int) throws(LogError) -> [KafkaRecords.Part] {
        var parts: [KafkaRecords.Part] = []
        do {
            for chunk in chunks(from: start, to: end) {
                let chunkStart = chunk * chunkSize
                let from = max(start, chunkStart) - chunkStart
                let to = min(end, chunkStart + chunkSize) - chunkStart
                let (file, offset) = try chunkFile(chunk)
                parts.append(try file.records(from: offset + from, to: offset + to))
            }
        } catch {
            KafkaRecords(parts: parts).closeFileHandles()
            throw error
        }
        return parts
    }

    private func chunkFile(_ chunk: Int) throws(LogError) -> (file: LogFile, offset: Int) {
        if let open = openChunks[chunk] { return open }
        let missing = LogError(.remoteChunkMissing, "chunk \(chunk) of \(sourceName) is not in the cache", missingChunk: chunk)
        let opened: (file: LogFile, offset: Int)
        switch chunkLocation(chunk) {
        case nil:
            throw missing
        case .open(let handle, let offset):
            opened = (LogFile(handle: handle), offset)
        case .path(let path):
            do {
                opened = (try storage.openForReading(path), 0)
            } catch {
                guard error.fileError?.isNotFound == true else { throw error }
                throw missing
            }
        }
        openChunks[chunk] = opened
        return opened
    }
}

extension KafkaRecords {
    /// Closes the file handles of the file regions.
    public func closeFileHandles() {
        for case .file(let region) in parts {
            try? region.fileHandle.close()
        }
    }
}
