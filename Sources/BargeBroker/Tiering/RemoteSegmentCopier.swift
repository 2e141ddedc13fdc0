import BargeCore
import Foundation
import KafkaLog
import KafkaProtocol
import NIOConcurrencyHelpers
import NIOCore
import ObjectStore

/// Copies one closed segment to the remote tier (docs/tiered-storage.md):
/// COPY_SEGMENT_STARTED is recorded first, then the log object (the
/// segment's chunks, each sealed on its own, streamed: one chunk in memory
/// at a time; or, for plain chunks on a file-system tier on the log's file
/// system, a hard link of the segment file), the indexes object and the
/// manifest are written, and
/// COPY_SEGMENT_FINISHED is recorded last: only then may the local copy go.
struct RemoteSegmentCopier: Sendable {
    let store: any ObjectStore
    let io: BlockingIOPool
    let config: RemoteStorageConfig
    let keyring: BargeKeyring?
    let rate: ByteRateLimiter
    let metrics: TieringMetrics

    /// Copies `segment` and records it in `partition`; returns its metadata.
    func copy(_ segment: ClosedSegmentCopy, into partition: RemotePartitionMetadata, now: Int64) async throws -> RemoteSegmentMetadata {
        var metadata = RemoteSegmentMetadata(
            segmentId: UUID().uuidString.lowercased(), baseOffset: segment.baseOffset, endOffset: segment.endOffset,
            size: segment.size, largestTimestamp: segment.largestTimestamp, offsetOfLargestTimestamp: segment.offsetOfLargestTimestamp,
            copyStartedAt: now, state: .copySegmentStarted, layout: nil)
        let started = metadata
        try await io.run { try partition.update { $0.append(started) } }

        let sealer = try RemoteChunkSealer(compress: config.compressionEnabled, keyring: keyring, chunkSize: config.chunkSize)
        let logKey = try partition.keys.log(metadata)
        let chunks: [RemoteSegmentLayout.StoredChunk]
        if !sealer.transforms, let linked = try await link(segment, as: logKey) {
            chunks = linked
        } else {
            chunks = try await stream(segment, to: logKey, sealer: sealer)
        }
        let chunkCount = chunks.count

        var indexes = segment.offsetIndex
        var timeIndex = segment.timeIndex
        var snapshot = segment.producerSnapshot
        indexes.writeBuffer(&timeIndex)
        indexes.writeBuffer(&snapshot)
        let sealedIndexes = try sealer.encrypt(Array(indexes.readableBytesView), index: chunkCount, isFinal: true)
        _ = try await store.put(try partition.keys.indexes(metadata), body: SingleBuffer(ByteBuffer(bytes: sealedIndexes)),
                                options: ObjectPutOptions(expectedSize: Int64(sealedIndexes.count)))

        metadata.layout = RemoteSegmentLayout(
            chunkSize: config.chunkSize, chunks: chunks,
            offsetIndexSize: segment.offsetIndex.readableBytes, timeIndexSize: segment.timeIndex.readableBytes,
            producerSnapshotSize: segment.producerSnapshot.readableBytes, indexesStoredSize: sealedIndexes.count,
            encryption: sealer.encryption)
        metadata.abortedTransactions = segment.abortedTransactions.isEmpty ? nil : segment.abortedTransactions
        metadata.state = .copySegmentFinished
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let manifest = try encoder.encode(metadata)
        _ = try await store.put(try partition.keys.manifest(metadata), body: SingleBuffer(ByteBuffer(bytes: manifest)),
                                options: ObjectPutOptions(contentType: "application/json", expectedSize: Int64(manifest.count)))
        let finished = metadata
        try await io.run {
            try partition.update { segments in
                segments.removeAll { $0.segmentId == finished.segmentId }
                segments.append(finished)
            }
        }
        metrics.copiedSegments.increment()
        return finished
    }
}

extension RemoteSegmentCopier {
    /// Plain chunks are the segment's bytes as they are, so on a file-system tier that shares
    /// the log's file system the log object is made a hard link of the segment file: nothing
    /// is read, written or rate-limited. Nil when the tier cannot link it (then it is copied).
    private func link(_ segment: ClosedSegmentCopy, as key: ObjectKey) async throws -> [RemoteSegmentLayout.StoredChunk]? {
        guard let fileStore = store as? FileSystemObjectStore,
              let linked = try await fileStore.put(key, linking: segment.file) else { return nil }
        guard linked.size == Int64(segment.size) else {
            // The file holds bytes after its last whole batch: copied without them instead.
            try await store.delete(key)
            return nil
        }
        metrics.copiedBytes.increment(by: segment.size)
        let chunkSize = config.chunkSize
        return stride(from: 0, to: segment.size, by: chunkSize).map { .init(stored: min(chunkSize, segment.size - $0), zstd: false) }
    }

    /// Streams the segment's chunks, each sealed on its own, to `key`: one chunk in memory at a time.
    private func stream(_ segment: ClosedSegmentCopy, to key: ObjectKey, sealer: RemoteChunkSealer) async throws -> [RemoteSegmentLayout.StoredChunk] {
        let chunkSize = config.chunkSize
        let firstHeader = try await io.run { RecordBatchHeader(from: try segment.read(count: RecordBatchHeader.size, at: 0), at: 0) }
        let compressible = firstHeader.map { $0.attributes.compression == .none } ?? true
        let chunkCount = (segment.size + chunkSize - 1) / chunkSize
        let stored = NIOLockedValueBox<[RemoteSegmentLayout.StoredChunk]>([])
        let (io, rate, metrics) = (self.io, self.rate, self.metrics)
        let next = NIOLockedValueBox(0)
        let body = AsyncThrowingStream<ByteBuffer, any Error>(unfolding: {
            let index = next.withLockedValue { index in
                defer { index += 1 }
                return index
            }
            guard index < chunkCount else { return nil }
            let plain = try await io.run { try segment.read(count: chunkSize, at: index * chunkSize) }
            try await rate.take(plain.readableBytes)
            metrics.copiedBytes.increment(by: plain.readableBytes)
            guard sealer.transforms else {
                // Stored as they are: no copy.
                stored.withLockedValue { $0.append(.init(stored: plain.readableBytes, zstd: false)) }
                return plain
            }
            let sealed = try sealer.seal(Array(plain.readableBytesView), index: index, isFinal: index == chunkCount - 1, compressible: compressible)
            stored.withLockedValue { $0.append(.init(stored: sealed.bytes.count, zstd: sealed.zstd)) }
            return ByteBuffer(bytes: sealed.bytes)
        })
        _ = try await store.put(key, body: body)
        return stored.withLockedValue { $0 }
    }
}

/// An upload body of one buffer.
struct SingleBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer
    init(_ buffer: ByteBuffer) { self.buffer = buffer }

    func makeAsyncIterator() -> Iterator { Iterator(buffer: buffer) }

    struct Iterator: AsyncIteratorProtocol {
        var buffer: ByteBuffer?
        mutating func next() async -> ByteBuffer? {
            defer { buffer = nil }
            return buffer
        }
    }
}
