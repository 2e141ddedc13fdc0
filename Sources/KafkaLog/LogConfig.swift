/// Which timestamp a batch carries: the producer's or the broker's.
public enum TimestampType: String, Sendable, Hashable, CaseIterable {
    /// The producer's timestamps are kept as sent.
    case createTime = "CreateTime"
    /// The broker sets each batch's timestamp to the time it appends it.
    case logAppendTime = "LogAppendTime"
}

/// `compression.type`: the codec a topic's batches end up with.
public enum TopicCompressionType: String, Sendable, Hashable, CaseIterable {
    /// Batches without compression.
    case uncompressed
    /// Zstandard, gzip, LZ4 or Snappy.
    case zstd, lz4, snappy, gzip
    /// Batches keep the codec the producer chose (Kafka's default).
    case producer
}

/// The settings of one partition log: every topic configuration Apache
/// Kafka 4.x defines, named, typed, ranged and defaulted as Kafka does
/// (`LogConfig+Properties.swift` holds the table). Some only mean something
/// in a cluster or with compaction; they are accepted, kept and described,
/// and docs/topic-configs.md says which the embedded broker applies.
public struct LogConfig: Sendable, Equatable {
    /// `cleanup.policy`: `delete`, `compact` or both, comma-separated. Default: delete.
    /// Compaction is not implemented: a policy without `delete` keeps every segment.
    public var cleanupPolicy: String = "delete"
    /// `compression.type`: the codec the broker gives the topic's batches.
    /// Default: producer. Accepted and described; batches are kept as produced.
    public var compressionType: TopicCompressionType = .producer
    /// `compression.gzip.level`: 1 ... 9, or -1 for zlib's default. Default: -1.
    public var compressionGzipLevel: Int32 = -1
    /// `compression.lz4.level`: 1 ... 17. Default: 9.
    public var compressionLz4Level: Int32 = 9
    /// `compression.zstd.level`: -131072 ... 22. Default: 3.
    public var compressionZstdLevel: Int32 = 3
    /// `delete.retention.ms`: how long tombstones stay on a compacted topic. Default: 86400000 (1 day).
    public var deleteRetentionMs: Int64 = 86_400_000
    /// `file.delete.delay.ms`: how long Kafka keeps a deleted segment's files. Default: 60000.
    public var fileDeleteDelayMs: Int64 = 60_000
    /// `flush.messages`: fsync after this many messages have been appended since the last fsync.
    /// Default: 9223372036854775807 (never force; the OS writes back, and `close()` fsyncs). At least 1.
    public var flushMessages: Int64 = .max
    /// `flush.ms`: fsync when the last fsync is this many milliseconds old.
    /// Default: 9223372036854775807 (never force). At least 0.
    public var flushMs: Int64 = .max
    /// `follower.replication.throttled.replicas`: `*` or `partition:broker,...`. Default: empty.
    public var followerReplicationThrottledReplicas: String = ""
    /// `index.interval.bytes`: the bytes of batches between two entries of the sparse
    /// offset and time indexes. Default: 4096. At least 0.
    public var indexIntervalBytes: Int = 4096
    /// `leader.replication.throttled.replicas`: `*` or `partition:broker,...`. Default: empty.
    public var leaderReplicationThrottledReplicas: String = ""
    /// `local.retention.bytes`: with remote storage, the most bytes of copied
    /// segments kept on local disk. -2 means `retention.bytes`. Default: -2.
    public var localRetentionBytes: Int64 = -2
    /// `local.retention.ms`: with remote storage, how long a segment already
    /// copied stays on local disk too. -2 means `retention.ms`. Default: -2.
    public var localRetentionMs: Int64 = -2
    /// `max.compaction.lag.ms`: the longest a record stays uncompacted. Default: 9223372036854775807. At least 1.
    public var maxCompactionLagMs: Int64 = .max
    /// `max.message.bytes`: the largest record batch the log accepts.
    /// Default: 1048588. Range: 0 ... 2147483647.
    public var maxMessageBytes: Int = 1_048_588
    /// `message.timestamp.after.max.ms`: with CreateTime, how far a batch's
    /// timestamps may lie in the future. Default: 3600000 (Kafka 4.0's).
    public var messageTimestampAfterMaxMs: Int64 = 3_600_000
    /// `message.timestamp.before.max.ms`: with CreateTime, how far a batch's
    /// timestamps may lie in the past. Default: 9223372036854775807.
    public var messageTimestampBeforeMaxMs: Int64 = .max
    /// `message.format.version`: Kafka 3.x's (removed in 4.0), accepted so
    /// that clients written for 3.x can set it, and ignored as Kafka 3.x
    /// ignores it: batches are always format v2. Default: 3.0-IV1.
    public var messageFormatVersion: String = "3.0-IV1"
    /// `message.timestamp.type`: `CreateTime` or `LogAppendTime`. Default: CreateTime.
    public var messageTimestampType: TimestampType = .createTime
    /// `min.cleanable.dirty.ratio`: 0 ... 1. Default: 0.5.
    public var minCleanableDirtyRatio: Double = 0.5
    /// `min.compaction.lag.ms`: at most `max.compaction.lag.ms`. Default: 0.
    public var minCompactionLagMs: Int64 = 0
    /// `min.insync.replicas`: the in-sync replicas an acks=all produce needs;
    /// the embedded broker has one, so above 1 such produces get
    /// NOT_ENOUGH_REPLICAS, as Kafka answers. Default: 1.
    public var minInsyncReplicas: Int32 = 1
    /// `preallocate`: whether Kafka preallocates segment files. Default: false.
    public var preallocate: Bool = false
    /// `remote.log.copy.disable`: stops copying segments to the remote tier
    /// while keeping what is there readable. Default: false.
    public var remoteLogCopyDisable: Bool = false
    /// `remote.log.delete.on.disable`: must be true to turn
    /// `remote.storage.enable` off; the remote segments are then deleted. Default: false.
    public var remoteLogDeleteOnDisable: Bool = false
    /// `remote.storage.enable`: whether closed segments are copied to the
    /// broker's remote tier (tiered storage, KIP-405). Default: false.
    public var remoteStorageEnable: Bool = false
    /// `retention.bytes`: the oldest segments are deleted while the log is larger than this.
    /// -1 means no size limit. Default: -1.
    public var retentionBytes: Int64 = -1
    /// `retention.ms`: closed segments whose newest timestamp is older than this are deleted.
    /// -1 keeps them forever. Default: 604800000 (7 days).
    public var retentionMs: Int64 = 604_800_000
    /// `segment.bytes`: the size at which a segment is closed and a new one started.
    /// Default: 1073741824 (1 GiB). Range: 14 ... 2147483647 (Kafka 4.0 asks at least 1 MiB).
    public var segmentBytes: Int = 1_073_741_824
    /// `segment.index.bytes`: the largest size of a segment's offset index (8 bytes an
    /// entry) and time index (12 bytes an entry); a segment whose index is full is closed.
    /// Default: 10485760 (10 MiB). At least 12 (Kafka: 4; a time index entry takes 12).
    public var segmentIndexBytes: Int = 10_485_760
    /// `segment.jitter.ms`: Kafka's random reduction of `segment.ms`. Default: 0.
    public var segmentJitterMs: Int64 = 0
    /// `segment.ms`: the age (time since its first append) at which a non-empty segment
    /// is closed even if not full. Default: 604800000 (7 days). At least 1.
    public var segmentMs: Int64 = 604_800_000
    /// `unclean.leader.election.enable`: meaningless with one replica. Default: false.
    public var uncleanLeaderElectionEnable: Bool = false

    /// Kafka's defaults.
    public init() {}

    /// Whether retention deletes segments (`cleanup.policy` contains `delete`).
    public var deletesByRetention: Bool { Self.listElements(cleanupPolicy).contains("delete") }

    /// Whether the topic is compacted (`cleanup.policy` contains `compact`): as
    /// in Kafka, every record appended needs a key.
    public var isCompacted: Bool { Self.listElements(cleanupPolicy).contains("compact") }

    /// `local.retention.ms` in effect: the total `retention.ms` when it is -2.
    public var effectiveLocalRetentionMs: Int64 { localRetentionMs == -2 ? retentionMs : localRetentionMs }

    /// `local.retention.bytes` in effect: the total `retention.bytes` when it is -2.
    public var effectiveLocalRetentionBytes: Int64 { localRetentionBytes == -2 ? retentionBytes : localRetentionBytes }

    /// Applies Kafka-named properties on top of this configuration, then
    /// checks the pairs Kafka checks (`min.compaction.lag.ms` at most
    /// `max.compaction.lag.ms`). Throws `LogConfigError` naming the first
    /// unknown name or invalid value.
    public func applying(_ properties: [String: String]) throws(LogConfigError) -> LogConfig {
        var config = self
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            guard let property = Self.property(named: name) else {
                throw LogConfigError(.unknownName, name: name, value: value,
                                     "Unknown topic config name: \(LogConfigError.shown(name)); known: \(Self.knownNames.sorted().joined(separator: ", "))")
            }
            try property.apply(&config, value)
        }
        if config.minCompactionLagMs > config.maxCompactionLagMs {
            throw LogConfigError(.invalidValue, name: "min.compaction.lag.ms", value: String(config.minCompactionLagMs),
                                 "conflict topic config setting min.compaction.lag.ms (\(config.minCompactionLagMs)) > max.compaction.lag.ms (\(config.maxCompactionLagMs))")
        }
        return config
    }

    /// The elements of a list value as Kafka splits it: on commas, trimmed, none if blank.
    public static func listElements(_ value: String) -> [String] {
        let trimmed = value.trimmingSpaces
        guard !trimmed.isEmpty else { return [] }
        return trimmed.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
