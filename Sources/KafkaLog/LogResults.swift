import KafkaProtocol

/// What `PartitionLog.append` did.
public struct LogAppendResult: Sendable, Equatable {
    /// The offset of the first record appended (or, for a duplicate, appended before).
    public var baseOffset: Int64
    /// The offset of the last record appended.
    public var lastOffset: Int64
    /// The time the log stamped on the batches with `LogAppendTime`; -1 with `CreateTime`.
    public var logAppendTime: Int64
    /// The log start offset after the append.
    public var logStartOffset: Int64
    /// Whether the batch repeated one an idempotent producer had already
    /// appended: nothing was written and the offsets are the original ones.
    public var isDuplicate: Bool
}

/// What `PartitionLog.read` found.
///
/// - Important: `records` holds `.file` parts, each a `FileRegion` with its own
///   `NIOFileHandle` (a duplicate descriptor of the segment file). The caller
///   owns them and must close every handle once the region is sent (or
///   dropped), on every path; NIO asserts on a handle released while open.
public struct LogReadResult: Sendable {
    /// Whole record batches, as stored, from the batch holding the requested offset.
    public var records: KafkaRecords
    /// The high watermark: the log end offset, as the log has a single replica.
    public var highWatermark: Int64
    /// The log start offset.
    public var logStartOffset: Int64
    /// The last stable offset: the first offset of the oldest transaction in
    /// progress, or the high watermark when none is.
    public var lastStableOffset: Int64
    /// For a read_committed read, the aborted transactions that the records
    /// may hold (marker at or after the read's offset, first offset before
    /// the records' end), oldest marker first; nil for read_uncommitted.
    public var abortedTransactions: [AbortedTransaction]?

    /// A result of records read (from the remote tier, for instance).
    public init(
        records: KafkaRecords, highWatermark: Int64, logStartOffset: Int64, lastStableOffset: Int64? = nil,
        abortedTransactions: [AbortedTransaction]? = nil
    ) {
        self.records = records
        self.highWatermark = highWatermark
        self.logStartOffset = logStartOffset
        self.lastStableOffset = lastStableOffset ?? highWatermark
        self.abortedTransactions = abortedTransactions
    }
}

/// Which records a read returns: Kafka's `isolation.level`.
public enum IsolationLevel: Int8, Sendable {
    /// Every record up to the high watermark, including those of transactions in progress or aborted.
    case readUncommitted = 0
    /// Records up to the last stable offset only; aborted transactions are listed for the consumer to skip.
    case readCommitted = 1
}

/// A record's offset and timestamp, as `PartitionLog.offset(forTimestamp:)` finds them.
public struct TimestampedOffset: Sendable, Hashable {
    /// The record's offset.
    public var offset: Int64
    /// The record's timestamp, milliseconds since the epoch.
    public var timestamp: Int64

    public init(offset: Int64, timestamp: Int64) {
        self.offset = offset
        self.timestamp = timestamp
    }
}
