import KafkaLog

/// What the broker knows about one segment of the remote tier: its extent,
/// its state, and once copied how its objects are laid out
/// (docs/tiered-storage.md). Kept per partition in `RemotePartitionMetadata`.
struct RemoteSegmentMetadata: Codable, Sendable, Equatable {
    /// A random id that names the segment's objects: a copy started again gets a new one.
    var segmentId: String
    /// The offset of its first record.
    var baseOffset: Int64
    /// The offset after its last record.
    var endOffset: Int64
    /// Bytes of batches (as in the local log file).
    var size: Int
    /// Its largest batch timestamp, -1 when no batch had one.
    var largestTimestamp: Int64
    /// The offset of the first batch with the largest timestamp (ListOffsets -3).
    var offsetOfLargestTimestamp: Int64
    /// When the copy started, milliseconds since the epoch (retention's clock for a segment without timestamps).
    var copyStartedAt: Int64
    var state: RemoteSegmentState
    /// How the objects are laid out; set when the copy finished.
    var layout: RemoteSegmentLayout?
    /// The aborted transactions whose markers are in the segment (its
    /// `.txnindex`), for read_committed reads; absent in manifests written
    /// before transactions (none could be aborted then).
    var abortedTransactions: [AbortedTransaction]?

    /// The timestamp `retention.ms` is compared with.
    var retentionTimestamp: Int64 { largestTimestamp >= 0 ? largestTimestamp : copyStartedAt }

    /// Whether it is readable: copied and not being deleted.
    var isReadable: Bool { state == .copySegmentFinished && layout != nil }
}

/// The layout of a copied segment's objects: the log object is the
/// segment's chunks one after another, each transformed (compressed, then
/// encrypted) on its own so that any chunk can be read with one ranged GET.
struct RemoteSegmentLayout: Codable, Sendable, Equatable {
    /// Bytes of the segment in every chunk but the last.
    var chunkSize: Int
    /// For each chunk: its bytes in the log object and whether it is zstd-compressed.
    var chunks: [StoredChunk]
    /// Bytes of the offset index, the time index and the producer snapshot in the indexes object (before encryption).
    var offsetIndexSize: Int
    var timeIndexSize: Int
    var producerSnapshotSize: Int
    /// Bytes of the indexes object.
    var indexesStoredSize: Int
    /// The data key and nonce prefix when the chunks are encrypted.
    var encryption: RemoteSegmentEncryption?

    struct StoredChunk: Codable, Sendable, Equatable {
        /// Bytes of the chunk in the log object.
        var stored: Int
        /// Whether the stored bytes are a zstd frame.
        var zstd: Bool
    }

    /// Bytes of the log object.
    var logStoredSize: Int { chunks.reduce(0) { $0 + $1.stored } }

    /// Where chunk `index` is in the log object.
    func storedRange(ofChunk index: Int) -> Range<Int64> {
        let start = chunks[..<index].reduce(0) { $0 + $1.stored }
        return Int64(start)..<Int64(start + chunks[index].stored)
    }

    /// Bytes of the segment in chunk `index`.
    func plainSize(ofChunk index: Int, segmentSize: Int) -> Int {
        min(chunkSize, segmentSize - index * chunkSize)
    }
}

/// How a segment's chunks are encrypted: AES-256-GCM under a data key of its
/// own, wrapped by a key of the claim-check keyring (docs/encryption.md).
struct RemoteSegmentEncryption: Codable, Sendable, Equatable {
    var keyID: String
    /// The wrapped data key, base64.
    var wrappedKey: String
    /// The nonce prefix, base64.
    var noncePrefix: String
}
