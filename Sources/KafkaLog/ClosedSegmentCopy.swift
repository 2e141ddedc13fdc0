import FileIO
import NIOCore

/// A closed segment handed out for copying to the remote tier: its extent,
/// its indexes and producer state as bytes (small: bounded by
/// `segment.index.bytes`), and its log file on a duplicate descriptor, so it
/// stays readable while local retention deletes the segment. Close it once copied.
public final class ClosedSegmentCopy: @unchecked Sendable {
    /// The offset of the segment's first record.
    public let baseOffset: Int64
    /// The offset after its last record: the next segment's base offset.
    public let endOffset: Int64
    /// Bytes of whole batches in the log file.
    public let size: Int
    /// The largest batch timestamp, -1 when no batch has one.
    public let largestTimestamp: Int64
    /// The base offset of the first batch with `largestTimestamp`.
    public let offsetOfLargestTimestamp: Int64
    /// The offset index file's bytes (entries of relative offset and position, big-endian int32 pairs).
    public let offsetIndex: ByteBuffer
    /// The time index file's bytes (entries of timestamp int64 and relative offset int32).
    public let timeIndex: ByteBuffer
    /// The idempotent producer state as of `endOffset`, in the log's snapshot format; empty when none was kept.
    public let producerSnapshot: ByteBuffer
    /// The aborted transactions whose markers are in the segment (its `.txnindex`).
    public let abortedTransactions: [AbortedTransaction]
    private let log: LogFile

    init(baseOffset: Int64, endOffset: Int64, size: Int, largestTimestamp: Int64, offsetOfLargestTimestamp: Int64,
         offsetIndex: ByteBuffer, timeIndex: ByteBuffer, producerSnapshot: ByteBuffer, abortedTransactions: [AbortedTransaction], log: LogFile) {
        self.baseOffset = baseOffset
        self.endOffset = endOffset
        self.size = size
        self.largestTimestamp = largestTimestamp
        self.offsetOfLargestTimestamp = offsetOfLargestTimestamp
        self.offsetIndex = offsetIndex
        self.timeIndex = timeIndex
        self.producerSnapshot = producerSnapshot
        self.abortedTransactions = abortedTransactions
        self.log = log
    }

    /// Reads up to `count` bytes of the log file at `position` (blocking).
    public func read(count: Int, at position: Int) throws(LogError) -> ByteBuffer {
        try log.read(count: min(count, max(0, size - position)), at: position)
    }

    /// The log file, open on the duplicate descriptor: for giving it another name (a hard
    /// link) instead of copying its bytes. Closed segments never change; never write to it.
    public var file: any FileHandleIO { log.handle }

    /// Closes the duplicate descriptor.
    public func close() {
        log.close()
    }
}
