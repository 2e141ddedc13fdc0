/// What a client commits for one partition: Kafka's `OffsetAndMetadata`.
struct OffsetAndMetadata: Hashable, Sendable {
    /// The next offset the group will consume.
    var offset: Int64
    /// The leader epoch of the last consumed record, or -1 when the client sent none.
    var leaderEpoch: Int32
    /// The client's metadata string; nil (null) and "" are kept apart.
    var metadata: String?

    init(offset: Int64, leaderEpoch: Int32 = -1, metadata: String? = "") {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
    }
}

/// A committed offset as stored: what the client committed and when.
struct CommittedOffset: Hashable, Sendable {
    /// The next offset the group will consume.
    var offset: Int64
    /// The leader epoch of the last consumed record, or -1 for none.
    var leaderEpoch: Int32
    /// The client's metadata string, byte for byte; nil (null) and "" are kept apart.
    var metadata: String?
    /// When the broker accepted the commit, in milliseconds since the epoch.
    var commitTimestamp: Int64

    init(offset: Int64, leaderEpoch: Int32, metadata: String?, commitTimestamp: Int64) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
        self.commitTimestamp = commitTimestamp
    }

    init(_ committed: OffsetAndMetadata, at commitTimestamp: Int64) {
        self.init(
            offset: committed.offset, leaderEpoch: committed.leaderEpoch,
            metadata: committed.metadata, commitTimestamp: commitTimestamp)
    }
}

extension CommittedOffsetStore {
    /// One partition of a topic: the key of a committed offset within a group.
    struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
        var topic: String
        var partition: Int32

        init(_ topic: String, _ partition: Int32) {
            self.topic = topic
            self.partition = partition
        }

        static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
        }

        var description: String { "\(topic)-\(partition)" }
    }
}
