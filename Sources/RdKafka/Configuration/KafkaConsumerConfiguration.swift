/// Consumer settings. Defaults are librdkafka's unless a line says otherwise.
public struct KafkaConsumerConfiguration: Sendable {
    /// Brokers, security, and librdkafka pass-through properties.
    public var connection: KafkaConnectionConfiguration
    /// The consumer group; required (librdkafka's consumer needs one, also
    /// for assigned partitions). librdkafka: `group.id`. Default: none.
    public var groupID: String?
    /// A static member id that survives restarts without a rebalance.
    /// librdkafka: `group.instance.id`. Default: none.
    public var groupInstanceID: String?
    /// Where to start when a partition has no committed offset.
    /// librdkafka: `auto.offset.reset`. Default: latest.
    public var autoOffsetReset: KafkaAutoOffsetReset = .latest
    /// Commit stored offsets in the background. librdkafka:
    /// `enable.auto.commit`. Default: true.
    public var enableAutoCommit = true
    /// How often stored offsets are committed in the background.
    /// librdkafka: `auto.commit.interval.ms`. Default: 5 s.
    public var autoCommitInterval: Duration = .seconds(5)
    /// Store a message's offset once the application asks for the next
    /// message, that is, after it processed this one. When false, only
    /// ``KafkaConsumer/storeOffset(of:)`` stores offsets. librdkafka's own
    /// `enable.auto.offset.store` is always off: it would store offsets of
    /// messages still waiting in this client's buffer. Default: true.
    public var automaticOffsetStore = true
    /// Partition assignors, in order of preference. librdkafka:
    /// `partition.assignment.strategy`. Default: range, roundrobin.
    public var assignmentStrategies: [KafkaAssignmentStrategy] = [.range, .roundRobin]
    /// How long the group waits for a heartbeat. librdkafka:
    /// `session.timeout.ms`. Default: 45 s.
    public var sessionTimeout: Duration = .seconds(45)
    /// librdkafka: `heartbeat.interval.ms`. Default: 3 s.
    public var heartbeatInterval: Duration = .seconds(3)
    /// Longest time between two polls before the member leaves the group.
    /// librdkafka: `max.poll.interval.ms`. Default: 300 s.
    public var maxPollInterval: Duration = .seconds(300)
    /// Most bytes a fetch response may hold. librdkafka: `fetch.max.bytes`.
    /// Default: 52428800.
    public var fetchMaxBytes = 52_428_800
    /// Most bytes per partition per fetch. librdkafka:
    /// `max.partition.fetch.bytes`. Default: 1048576.
    public var maxPartitionFetchBytes = 1_048_576
    /// Longest time the broker holds a fetch waiting for data.
    /// librdkafka: `fetch.wait.max.ms`. Default: 500 ms.
    public var fetchWaitMax: Duration = .milliseconds(500)
    /// librdkafka's prefetch queue limit in KiB. librdkafka:
    /// `queued.max.messages.kbytes`. Default: 65536.
    public var queuedMaxMessagesKBytes = 65_536
    /// Barge's buffer between librdkafka's poll thread and the message
    /// sequence; when it holds this many messages or bytes, fetching pauses
    /// (rebalances are still served) until the application catches up. The
    /// bytes also count record values the application still holds in
    /// librdkafka's buffers (``KafkaConsumer/nextRecord(timeout:)``). Not
    /// librdkafka settings. Defaults: 1000 messages, 64 MiB.
    public var maximumBufferedMessages = 1000
    /// See ``maximumBufferedMessages``.
    public var maximumBufferedBytes = 64 * 1024 * 1024
    /// Which records are read: only those of committed transactions (and
    /// non-transactional ones), up to the last stable offset, or every record
    /// up to the high watermark, aborted and open transactions included.
    /// librdkafka: `isolation.level`. Default: `.readCommitted`.
    public var isolationLevel: KafkaIsolationLevel = .readCommitted

    /// Settings for the given bootstrap servers, with defaults for the rest.
    public init(bootstrapServers: [String], groupID: String? = nil) {
        connection = KafkaConnectionConfiguration(bootstrapServers: bootstrapServers)
        self.groupID = groupID
    }

    var properties: [(String, String)] {
        var specific: [(String, String)] = [
            ("auto.offset.reset", autoOffsetReset.name),
            ("enable.auto.commit", String(enableAutoCommit)),
            ("auto.commit.interval.ms", String(autoCommitInterval.milliseconds)),
            ("enable.auto.offset.store", "false"),
            ("partition.assignment.strategy", assignmentStrategies.map(\.name).joined(separator: ",")),
            ("session.timeout.ms", String(sessionTimeout.milliseconds)),
            ("heartbeat.interval.ms", String(heartbeatInterval.milliseconds)),
            ("max.poll.interval.ms", String(maxPollInterval.milliseconds)),
            ("fetch.max.bytes", String(fetchMaxBytes)),
            ("max.partition.fetch.bytes", String(maxPartitionFetchBytes)),
            ("fetch.wait.max.ms", String(fetchWaitMax.milliseconds)),
            ("queued.max.messages.kbytes", String(queuedMaxMessagesKBytes)),
            ("isolation.level", isolationLevel.name),
        ]
        if let groupID { specific.append(("group.id", groupID)) }
        if let groupInstanceID { specific.append(("group.instance.id", groupInstanceID)) }
        return connection.properties(with: specific)
    }
}

/// Which records a consumer reads. librdkafka: `isolation.level`.
public struct KafkaIsolationLevel: Hashable, Sendable {
    let name: String
    /// Committed transactions and non-transactional records, up to the last stable offset.
    public static let readCommitted = KafkaIsolationLevel(name: "read_committed")
    /// Every record up to the high watermark, including aborted transactions and those still open.
    public static let readUncommitted = KafkaIsolationLevel(name: "read_uncommitted")
}

/// Where a consumer starts without a committed offset. librdkafka: `auto.offset.reset`.
public struct KafkaAutoOffsetReset: Hashable, Sendable {
    let name: String
    /// The oldest retained message.
    public static let earliest = KafkaAutoOffsetReset(name: "earliest")
    /// Only messages produced from now on.
    public static let latest = KafkaAutoOffsetReset(name: "latest")
    /// Fail with an error event instead.
    public static let error = KafkaAutoOffsetReset(name: "error")
}

/// A partition assignor. librdkafka: `partition.assignment.strategy`.
public struct KafkaAssignmentStrategy: Hashable, Sendable {
    /// librdkafka's name for it.
    public let name: String
    /// Ranges of partitions per topic (eager: everything is revoked on a rebalance).
    public static let range = KafkaAssignmentStrategy(name: "range")
    /// Partitions dealt out in turn (eager).
    public static let roundRobin = KafkaAssignmentStrategy(name: "roundrobin")
    /// Incremental cooperative rebalancing: only moved partitions are revoked.
    public static let cooperativeSticky = KafkaAssignmentStrategy(name: "cooperative-sticky")
}
