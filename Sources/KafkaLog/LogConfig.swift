/// Which timestamp a batch carries: the producer's or the broker's.
public enum TimestampType: String, Sendable, Hashable, CaseIterable {
    /// The producer's timestamps are kept as sent.
    case createTime = "CreateTime"
    /// The broker sets each batch's timestamp to the time it appends it.
    case logAppendTime = "LogAppendTime"
}

/// The settings of one partition log, named and defaulted as Kafka's topic
/// configuration is.
public struct LogConfig: Sendable, Equatable {
    /// `segment.bytes`: the size at which a segment is closed and a new one started.
    /// Default: 1073741824 (1 GiB). Range: 14 ... 2147483647.
    public var segmentBytes: Int = 1_073_741_824
    /// `segment.ms`: the age (time since its first append) at which a non-empty segment
    /// is closed even if not full. Default: 604800000 (7 days). At least 1.
    public var segmentMs: Int64 = 604_800_000
    /// `segment.index.bytes`: the largest size of a segment's offset index (8 bytes an
    /// entry) and time index (12 bytes an entry); a segment whose index is full is closed.
    /// Default: 10485760 (10 MiB). At least 12.
    public var segmentIndexBytes: Int = 10_485_760
    /// `retention.ms`: closed segments whose newest timestamp is older than this are deleted.
    /// -1 keeps them forever. Default: 604800000 (7 days).
    public var retentionMs: Int64 = 604_800_000
    /// `retention.bytes`: the oldest segments are deleted while the log is larger than this.
    /// -1 means no size limit. Default: -1.
    public var retentionBytes: Int64 = -1
    /// `flush.messages`: fsync after this many messages have been appended since the last fsync.
    /// Default: 9223372036854775807 (never force; the OS writes back, and `close()` fsyncs). At least 1.
    public var flushMessages: Int64 = .max
    /// `flush.ms`: fsync when the last fsync is this many milliseconds old.
    /// Default: 9223372036854775807 (never force). At least 0.
    public var flushMs: Int64 = .max
    /// `index.interval.bytes`: the bytes of batches between two entries of the sparse
    /// offset and time indexes. Default: 4096. At least 0.
    public var indexIntervalBytes: Int = 4096
    /// `max.message.bytes`: the largest record batch the log accepts.
    /// Default: 1048588. Range: 0 ... 2147483647.
    public var maxMessageBytes: Int = 1_048_588
    /// `message.timestamp.type`: `CreateTime` or `LogAppendTime`. Default: CreateTime.
    public var messageTimestampType: TimestampType = .createTime
    /// `cleanup.policy`: `delete`, `compact` or both, comma-separated. Default: delete.
    /// Compaction is not implemented: a policy without `delete` keeps every segment.
    public var cleanupPolicy: String = "delete"
    /// `remote.storage.enable`: whether closed segments are copied to the
    /// broker's remote tier (tiered storage, KIP-405). Default: false.
    public var remoteStorageEnable: Bool = false
    /// `local.retention.ms`: with remote storage, how long a segment already
    /// copied stays on local disk too. -2 means `retention.ms`. Default: -2.
    public var localRetentionMs: Int64 = -2
    /// `local.retention.bytes`: with remote storage, the most bytes of copied
    /// segments kept on local disk. -2 means `retention.bytes`. Default: -2.
    public var localRetentionBytes: Int64 = -2
    /// `remote.log.copy.disable`: stops copying segments to the remote tier
    /// while keeping what is there readable. Default: false.
    public var remoteLogCopyDisable: Bool = false
    /// `remote.log.delete.on.disable`: must be true to turn
    /// `remote.storage.enable` off; the remote segments are then deleted. Default: false.
    public var remoteLogDeleteOnDisable: Bool = false

    /// Kafka's defaults.
    public init() {}

    /// One property as Kafka names it, for DescribeConfigs.
    public struct Entry: Sendable, Hashable {
        /// The Kafka property name, e.g. `retention.ms`.
        public var name: String
        /// The value as Kafka prints it.
        public var value: String
        /// Whether the value equals the one in the defaults it was described against.
        public var isDefault: Bool
    }

    /// The names of every property `applying(_:)` accepts.
    public static let knownNames: Set<String> = Set(LogConfig().namedValues.map(\.name))

    /// Whether retention deletes segments (`cleanup.policy` contains `delete`).
    public var deletesByRetention: Bool { Self.policies(cleanupPolicy).contains("delete") }

    /// Whether the topic is compacted (`cleanup.policy` contains `compact`): as
    /// in Kafka, every record appended needs a key.
    public var isCompacted: Bool { Self.policies(cleanupPolicy).contains("compact") }

    /// `local.retention.ms` in effect: the total `retention.ms` when it is -2.
    public var effectiveLocalRetentionMs: Int64 { localRetentionMs == -2 ? retentionMs : localRetentionMs }

    /// `local.retention.bytes` in effect: the total `retention.bytes` when it is -2.
    public var effectiveLocalRetentionBytes: Int64 { localRetentionBytes == -2 ? retentionBytes : localRetentionBytes }

    /// Every property with its current value, marked default when it equals Kafka's default.
    public var describedEntries: [Entry] { describedEntries(defaults: LogConfig()) }

    /// Every property with its current value, marked default when it equals the
    /// value in `defaults` (the broker's defaults, when it has its own).
    public func describedEntries(defaults: LogConfig) -> [Entry] {
        zip(namedValues, defaults.namedValues).map { mine, theirs in
            Entry(name: mine.name, value: mine.value, isDefault: mine.value == theirs.value)
        }
    }

    /// Applies Kafka-named properties on top of this configuration.
    /// Throws `LogConfigError` naming the first unknown name or invalid value.
    public func applying(_ properties: [String: String]) throws(LogConfigError) -> LogConfig {
        var config = self
        for (name, value) in properties.sorted(by: { $0.key < $1.key }) {
            try config.apply(name: name, value: value)
        }
        return config
    }

    private mutating func apply(name: String, value: String) throws(LogConfigError) {
        switch name {
        case "segment.bytes": segmentBytes = try Self.parse(name, value, in: 14...Int(Int32.max))
        case "segment.ms": segmentMs = try Self.parse(name, value, in: 1...Int64.max)
        case "segment.index.bytes": segmentIndexBytes = try Self.parse(name, value, in: 12...Int(Int32.max))
        case "retention.ms": retentionMs = try Self.parse(name, value, in: -1...Int64.max)
        case "retention.bytes": retentionBytes = try Self.parse(name, value, in: Int64.min...Int64.max)
        case "flush.messages": flushMessages = try Self.parse(name, value, in: 1...Int64.max)
        case "flush.ms": flushMs = try Self.parse(name, value, in: 0...Int64.max)
        case "index.interval.bytes": indexIntervalBytes = try Self.parse(name, value, in: 0...Int(Int32.max))
        case "max.message.bytes": maxMessageBytes = try Self.parse(name, value, in: 0...Int(Int32.max))
        case "message.timestamp.type":
            guard let type = TimestampType(rawValue: value.trimmingSpaces) else {
                throw LogConfigError(.invalidValue, name: name, value: value,
                                     "\(name) is '\(value)'; use CreateTime or LogAppendTime")
            }
            messageTimestampType = type
        case "cleanup.policy":
            let policies = Self.policies(value)
            guard !policies.isEmpty, policies.allSatisfy({ $0 == "delete" || $0 == "compact" }) else {
                throw LogConfigError(.invalidValue, name: name, value: value,
                                     "\(name) is '\(value)'; use delete, compact or compact,delete")
            }
            cleanupPolicy = policies.joined(separator: ",")
        case "remote.storage.enable": remoteStorageEnable = try Self.parseBool(name, value)
        case "local.retention.ms": localRetentionMs = try Self.parse(name, value, in: -2...Int64.max)
        case "local.retention.bytes": localRetentionBytes = try Self.parse(name, value, in: -2...Int64.max)
        case "remote.log.copy.disable": remoteLogCopyDisable = try Self.parseBool(name, value)
        case "remote.log.delete.on.disable": remoteLogDeleteOnDisable = try Self.parseBool(name, value)
        default:
            throw LogConfigError(.unknownName, name: name, value: value,
                                 "'\(name)' is not a topic configuration; known: \(Self.knownNames.sorted().joined(separator: ", "))")
        }
    }

    private var namedValues: [(name: String, value: String)] {
        [
            ("cleanup.policy", cleanupPolicy),
            ("flush.messages", "\(flushMessages)"),
            ("flush.ms", "\(flushMs)"),
            ("index.interval.bytes", "\(indexIntervalBytes)"),
            ("local.retention.bytes", "\(localRetentionBytes)"),
            ("local.retention.ms", "\(localRetentionMs)"),
            ("max.message.bytes", "\(maxMessageBytes)"),
            ("message.timestamp.type", messageTimestampType.rawValue),
            ("remote.log.copy.disable", "\(remoteLogCopyDisable)"),
            ("remote.log.delete.on.disable", "\(remoteLogDeleteOnDisable)"),
            ("remote.storage.enable", "\(remoteStorageEnable)"),
            ("retention.bytes", "\(retentionBytes)"),
            ("retention.ms", "\(retentionMs)"),
            ("segment.bytes", "\(segmentBytes)"),
            ("segment.index.bytes", "\(segmentIndexBytes)"),
            ("segment.ms", "\(segmentMs)"),
        ]
    }

    private static func parse<Value: FixedWidthInteger>(
        _ name: String, _ value: String, in range: ClosedRange<Value>
    ) throws(LogConfigError) -> Value {
        guard let parsed = Value(value.trimmingSpaces, radix: 10) else {
            throw LogConfigError(.invalidValue, name: name, value: value,
                                 "\(name) is '\(value)', which is not an integer of \(Value.bitWidth) bits")
        }
        guard range.contains(parsed) else {
            let bounds = range.upperBound == .max ? "at least \(range.lowerBound)" : "between \(range.lowerBound) and \(range.upperBound)"
            throw LogConfigError(.invalidValue, name: name, value: value, "\(name) is \(parsed); it must be \(bounds)")
        }
        return parsed
    }

    private static func parseBool(_ name: String, _ value: String) throws(LogConfigError) -> Bool {
        switch value.trimmingSpaces.lowercased() {
        case "true": return true
        case "false": return false
        default: throw LogConfigError(.invalidValue, name: name, value: value, "\(name) is '\(value)'; use true or false")
        }
    }

    private static func policies(_ value: String) -> [String] {
        value.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
