/// A transaction that ended with an abort marker in a partition: one entry
/// of Kafka's aborted-transaction index (`.txnindex`). A read_committed
/// consumer skips the producer's records from `firstOffset` up to the marker.
public struct AbortedTransaction: Sendable, Hashable, Codable {
    /// The producer whose transaction was aborted.
    public var producerId: Int64
    /// The offset of the transaction's first batch in the partition.
    public var firstOffset: Int64
    /// The offset of the abort marker.
    public var lastOffset: Int64
    /// The last stable offset once the marker was written.
    public var lastStableOffset: Int64

    public init(producerId: Int64, firstOffset: Int64, lastOffset: Int64, lastStableOffset: Int64) {
        self.producerId = producerId
        self.firstOffset = firstOffset
        self.lastOffset = lastOffset
        self.lastStableOffset = lastStableOffset
    }
}
