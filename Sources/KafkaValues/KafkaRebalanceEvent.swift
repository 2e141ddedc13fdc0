/// A change to a consumer's assignment, given to its rebalance hook.
///
/// The hook sees `.revoked` (and `.lost`) BEFORE librdkafka gives up the
/// partitions, so it can commit and drop state for them; it sees `.assigned`
/// after the partitions are assigned. Messages of revoked partitions that
/// the application has not taken yet are discarded before the hook runs.
public struct KafkaRebalanceEvent: Sendable {
    /// What happened.
    public enum Kind: Hashable, Sendable {
        /// The partitions were added to the assignment.
        case assigned
        /// The partitions are about to be taken away; offsets can still be committed.
        case revoked
        /// The partitions were taken away without a clean hand-over (the
        /// member was fenced or timed out); committing will fail.
        case lost
    }

    /// What happened.
    public var kind: Kind
    /// The partitions concerned (for the cooperative protocol, only those that move).
    public var partitions: [KafkaTopicPartition]
    /// Whether the group uses incremental cooperative rebalancing.
    public var isCooperative: Bool

    /// An event of `kind` for `partitions`.
    public init(kind: Kind, partitions: [KafkaTopicPartition], isCooperative: Bool) {
        self.kind = kind
        self.partitions = partitions
        self.isCooperative = isCooperative
    }
}
