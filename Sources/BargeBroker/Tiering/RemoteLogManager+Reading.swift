import KafkaLog
import KafkaProtocol
import NIOCore
import ObjectStore

/// Reads below the local log, from the remote tier through the chunk cache:
/// the segment holding the offset is found in the metadata, its indexes and
/// the chunks a read needs are fetched (ranged GETs) into the cache, and the
/// batches are sent from the cache's files. The chunks after a read are
/// fetched ahead (`rsm.config.fetch.chunk.cache.prefetch.max.size`).
extension RemoteLogManager {
    /// Whole batches from `offset`, from one remote segment, as `PartitionLog.read` returns them.
    /// Remote segments are all below the last stable offset; under
    /// read_committed the result lists the aborted transactions from the
    /// remote segments' indexes and the local log's.
    /// Throws `LogError(.offsetOutOfRange)` when no remote segment holds it, and the store's error when it fails.
    func read(
        topic: Topic, partition: Int32, log: PartitionLog, offset: Int64, maxBytes: Int, minOneBatch: Bool, isolation: IsolationLevel
    ) async throws -> LogReadResult {
        let metadata = try await metadata(of: topic, partition: partition)
        guard offset >= log.logStartOffset, let segment = metadata.segment(containing: offset) else {
            throw LogError(.offsetOutOfRange, "offset \(offset) is in no segment of the remote tier")
        }
        let (records, end) = try await withView(of: segment, in: metadata) { (view) throws(LogError) in
            try view.read(from: offset, maxBytes: maxBytes, minOneBatch: minOneBatch)
        }
        prefetch(after: end, of: segment, in: metadata)
        var result = LogReadResult(records: records, highWatermark: log.logEndOffset, logStartOffset: log.logStartOffset,
                                   lastStableOffset: log.lastStableOffset)
        if isolation == .readCommitted {
            let upTo = result.lastStableOffset
            let remote = metadata.readableSegments.filter { $0.endOffset > offset }.flatMap { $0.abortedTransactions ?? [] }
            let local = log.abortedTransactions(from: offset, before: upTo)
            var seen = Set<AbortedTransaction>()
            result.abortedTransactions = (remote + local).filter { $0.lastOffset >= offset && $0.firstOffset < upTo && seen.insert($0).inserted }
        }
        return result
    }

    /// The first record at or after the log start with a timestamp at or after
    /// `timestamp`, searched in the remote tier (ListOffsets by time); nil when every remote record is older.
    func offset(forTimestamp timestamp: Int64, topic: Topic, partition: Int32, log: PartitionLog) async throws -> TimestampedOffset? {
        let metadata = try await metadata(of: topic, partition: partition)
        let logStart = log.logStartOffset
        for segment in metadata.readableSegments where segment.endOffset > logStart && segment.largestTimestamp >= timestamp {
            if let found = try await withView(of: segment, in: metadata, { (view) throws(LogError) in
                try view.offset(forTimestamp: timestamp, atOrAfter: logStart)
            }) {
                return found
            }
        }
        return nil
    }

    /// The largest timestamp in the remote tier above the log start, with its offset (ListOffsets -3).
    func maxTimestamp(topic: Topic, partition: Int32, log: PartitionLog) async throws -> TimestampedOffset? {
        let metadata = try await metadata(of: topic, partition: partition)
        let logStart = log.logStartOffset
        var best: TimestampedOffset?
        for segment in metadata.readableSegments where segment.endOffset > logStart && segment.largestTimestamp >= 0 {
            if best.map({ segment.largestTimestamp > $0.timestamp }) ?? true {
                best = TimestampedOffset(offset: max(segment.offsetOfLargestTimestamp, logStart), timestamp: segment.largestTimestamp)
            }
        }
        return best
    }

    /// Bytes of a partition's segments in the remote tier (as in the local log files, before compression and encryption).
    func remoteBytes(topic: Topic, partition: Int32) async throws -> Int64 {
        try await metadata(of: topic, partition: partition).readableBytes
    }

    /// Runs `body` on a view of `segment` whose indexes are cached, fetching
    /// each chunk it asks for and running it again, a bounded number of times.
    private func withView<Result: Sendable>(
        of segment: RemoteSegmentMetadata, in metadata: RemotePartitionMetadata,
        _ body: @escaping @Sendable (RemoteSegmentView) throws(LogError) -> Result
    ) async throws -> Result {
        guard let layout = segment.layout else { throw RemoteTierError("remote segment \(segment.baseOffset) has no layout") }
        let cache = self.cache
        let indexKey = Self.indexesEntry(segment)
        let direct = store as? FileSystemObjectStore
        let logKey = try? metadata.keys.log(segment)
        let inPlace: @Sendable (Int) -> Bool = { chunk in direct != nil && Self.isPlain(layout, chunk: chunk) }
        for _ in 0..<64 {
            try await ensureIndexes(of: segment, layout: layout, in: metadata)
            let attempt: Swift.Result<Result, LogError> = try await io.run {
                guard let offsetIndex = cache.pathIfPresent(Self.offsetIndexFile(segment), of: indexKey) else {
                    return .failure(LogError(.remoteChunkMissing, "the indexes were evicted"))
                }
                do throws(LogError) {
                    let view = try RemoteSegmentView(
                        baseOffset: segment.baseOffset, size: segment.size, chunkSize: layout.chunkSize,
                        offsetIndexPath: offsetIndex, timeIndexPath: cache.path(Self.timeIndexFile(segment))
                    ) { chunk in
                        if inPlace(chunk), let logKey, let handle = try? direct?.openFileForReading(logKey) {
                            return .open(handle, offset: Int(layout.storedRange(ofChunk: chunk).lowerBound))
                        }
                        return cache.pathIfPresent(Self.chunkFile(segment, chunk), of: Self.chunkFile(segment, chunk)).map { .path($0) }
                    }
                    defer { view.close() }
                    return .success(try body(view))
                } catch {
                    if error.fileError?.isNotFound == true { return .failure(LogError(.remoteChunkMissing, "the indexes were evicted")) }
                    return .failure(error)
                }
            }
            switch attempt {
            case .success(let result):
                return result
            case .failure(let error) where error.kind == .remoteChunkMissing:
                if let chunk = error.missingChunk {
                    // A sequential reader wants the chunks after it next: fetch them at the same time.
                    prefetch(after: (chunk + 1) * layout.chunkSize, of: segment, in: metadata)
                    try await ensureChunk(chunk, of: segment, layout: layout, in: metadata)
                }
            case .failure(let error):
                throw error
            }
        }
        throw RemoteTierError("the chunk cache evicts what a read of remote segment \(segment.baseOffset) needs faster than it is read; raise rsm.config.fetch.chunk.cache.size")
    }

    /// Fetches the chunks after `end` up to the prefetch size, in the background,
    /// going on into the next segment (its indexes and first chunks) when this one ends sooner.
    private func prefetch(after end: Int, of segment: RemoteSegmentMetadata, in metadata: RemotePartitionMetadata) {
        var budget = Int(min(config.prefetchMaxBytes, Int64(Int.max / 2)))
        var segment = segment
        var start = end
        while budget > 0, let layout = segment.layout {
            if start < segment.size {
                let last = min(layout.chunks.count - 1, (start + budget - 1) / layout.chunkSize)
                for chunk in (start / layout.chunkSize)...last where !(store is FileSystemObjectStore && Self.isPlain(layout, chunk: chunk)) {
                    let current = segment
                    cache.prefetch(Self.chunkFile(segment, chunk)) { [self] in
                        try await self.loadChunk(chunk, of: current, layout: layout, in: metadata)
                    }
                }
                budget -= segment.size - start
            }
            guard budget > 0, let next = metadata.segment(containing: segment.endOffset), let nextLayout = next.layout else { return }
            cache.prefetch(Self.indexesEntry(next)) { [self] in try await self.loadIndexes(of: next, layout: nextLayout, in: metadata) }
            segment = next
            start = 0
        }
    }

    private func ensureIndexes(of segment: RemoteSegmentMetadata, layout: RemoteSegmentLayout, in metadata: RemotePartitionMetadata) async throws {
        try await cache.ensure(Self.indexesEntry(segment)) { [self] in try await self.loadIndexes(of: segment, layout: layout, in: metadata) }
    }

    private func loadIndexes(of segment: RemoteSegmentMetadata, layout: RemoteSegmentLayout,
                             in metadata: RemotePartitionMetadata) async throws -> [RemoteChunkCache.File] {
        let stored = Self.joined(try await fetch(try metadata.keys.indexes(segment), range: nil))
        let sealer = try RemoteChunkSealer(opening: layout, keyring: keyring)
        let plain = try sealer.decrypt(stored, index: layout.chunks.count, isFinal: true)
        let offsetEnd = layout.offsetIndexSize
        let timeEnd = offsetEnd + layout.timeIndexSize
        guard plain.count == timeEnd + layout.producerSnapshotSize else {
            throw RemoteTierError("the indexes of remote segment \(segment.baseOffset) hold \(plain.count) bytes, not the \(timeEnd + layout.producerSnapshotSize) of its manifest")
        }
        return [(Self.offsetIndexFile(segment), [ByteBuffer(bytes: plain[..<offsetEnd])]),
                (Self.timeIndexFile(segment), [ByteBuffer(bytes: plain[offsetEnd..<timeEnd])])]
    }

    private func ensureChunk(_ chunk: Int, of segment: RemoteSegmentMetadata, layout: RemoteSegmentLayout, in metadata: RemotePartitionMetadata) async throws {
        guard chunk >= 0, chunk < layout.chunks.count else {
            throw RemoteTierError("remote segment \(segment.baseOffset) has no chunk \(chunk)")
        }
        try await cache.ensure(Self.chunkFile(segment, chunk)) { [self] in
            try await self.loadChunk(chunk, of: segment, layout: layout, in: metadata)
        }
    }

    private func loadChunk(_ chunk: Int, of segment: RemoteSegmentMetadata, layout: RemoteSegmentLayout,
                           in metadata: RemotePartitionMetadata) async throws -> [RemoteChunkCache.File] {
        let stored = try await fetch(try metadata.keys.log(segment), range: layout.storedRange(ofChunk: chunk))
        let plainSize = layout.plainSize(ofChunk: chunk, segmentSize: segment.size)
        guard !Self.isPlain(layout, chunk: chunk) else {
            // Stored as it is: the pieces go to the cache file as they came.
            let size = stored.reduce(0) { $0 + $1.readableBytes }
            guard size == plainSize else { throw RemoteTierError("chunk \(chunk) holds \(size) bytes, not the \(plainSize) its manifest gives") }
            return [(Self.chunkFile(segment, chunk), stored)]
        }
        let sealer = try RemoteChunkSealer(opening: layout, keyring: keyring)
        let plain = try sealer.open(Self.joined(stored), index: chunk, isFinal: chunk == layout.chunks.count - 1, zstd: layout.chunks[chunk].zstd,
                                    plainSize: plainSize)
        return [(Self.chunkFile(segment, chunk), [ByteBuffer(bytes: plain)])]
    }

    /// The bytes of an object or a range of it, within the fetch rate, in the pieces the store sent.
    private func fetch(_ key: ObjectKey, range: Range<Int64>?) async throws -> [ByteBuffer] {
        if let range { try await fetchRate.take(Int(range.upperBound - range.lowerBound)) }
        var pieces: [ByteBuffer] = []
        var count = 0
        for try await piece in try await store.get(key, range: range) {
            pieces.append(piece)
            count += piece.readableBytes
        }
        metrics.fetchBytes.increment(by: count)
        return pieces
    }

    /// The pieces' bytes one after another.
    private static func joined(_ pieces: [ByteBuffer]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(pieces.reduce(0) { $0 + $1.readableBytes })
        for piece in pieces { bytes.append(contentsOf: piece.readableBytesView) }
        return bytes
    }

    /// Whether chunk `chunk` is stored as the segment's bytes themselves (not
    /// compressed, not encrypted): a file-system remote tier's object file is
    /// then read in place, with no copy into the cache.
    static func isPlain(_ layout: RemoteSegmentLayout, chunk: Int) -> Bool {
        layout.encryption == nil && !layout.chunks[chunk].zstd
    }

    static func indexesEntry(_ segment: RemoteSegmentMetadata) -> String { "\(segment.segmentId).indexes" }
    static func offsetIndexFile(_ segment: RemoteSegmentMetadata) -> String { "\(segment.segmentId).index" }
    static func timeIndexFile(_ segment: RemoteSegmentMetadata) -> String { "\(segment.segmentId).timeindex" }
    static func chunkFile(_ segment: RemoteSegmentMetadata, _ chunk: Int) -> String { "\(segment.segmentId)-\(chunk).chunk" }
}
