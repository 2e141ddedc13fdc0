extension LogConfig {
    /// A property's type, with the code DescribeConfigs v3+ gives it (Kafka's `ConfigType`).
    public struct ValueType: Hashable, Sendable {
        /// The wire value: BOOLEAN 1, STRING 2, INT 3, LONG 5, DOUBLE 6, LIST 7.
        public let kafkaCode: Int8
        /// `true` or `false`, in any case.
        public static let boolean = ValueType(kafkaCode: 1)
        /// Text, usually one of a few names (`compression.type`).
        public static let string = ValueType(kafkaCode: 2)
        /// A 32-bit integer.
        public static let int = ValueType(kafkaCode: 3)
        /// A 64-bit integer.
        public static let long = ValueType(kafkaCode: 5)
        /// A floating-point number (`min.cleanable.dirty.ratio`).
        public static let double = ValueType(kafkaCode: 6)
        /// A comma-separated list: IncrementalAlterConfigs may APPEND to it and SUBTRACT from it.
        public static let list = ValueType(kafkaCode: 7)
    }

    /// One property as Kafka names it, for DescribeConfigs.
    public struct Entry: Sendable, Hashable {
        /// The Kafka property name, e.g. `retention.ms`.
        public var name: String
        /// The value as Kafka prints it.
        public var value: String
        /// Whether the value equals the one in the defaults it was described against.
        public var isDefault: Bool
        /// The property's type.
        public var type: ValueType
    }

    /// The names of every property `applying(_:)` accepts.
    public static let knownNames: Set<String> = Set(properties.map(\.name))

    /// The type of the property `name`, nil if it is not a topic config.
    public static func valueType(of name: String) -> ValueType? { property(named: name)?.type }

    /// Every property with its current value, marked default when it equals Kafka's default.
    public var describedEntries: [Entry] { describedEntries(defaults: LogConfig()) }

    /// Every property with its current value, marked default when it equals the
    /// value in `defaults` (the broker's defaults, when it has its own).
    public func describedEntries(defaults: LogConfig) -> [Entry] {
        Self.properties.map { property in
            let value = property.describe(self)
            return Entry(name: property.name, value: value, isDefault: value == property.describe(defaults), type: property.type)
        }
    }

    static func property(named name: String) -> Property? { propertiesByName[name] }

    /// One property: its name, type, how it prints and how a value is parsed into it.
    struct Property: Sendable {
        let name: String
        let type: ValueType
        let describe: @Sendable (LogConfig) -> String
        let apply: @Sendable (inout LogConfig, String) throws(LogConfigError) -> Void
    }

    private static let propertiesByName = Dictionary(uniqueKeysWithValues: properties.map { ($0.name, $0) })

    /// Every topic config of Kafka 4.x, by name, with Kafka's ranges, and
    /// Kafka 3.x's `message.format.version`.
    static let properties: [Property] = [
        list("cleanup.policy", \.cleanupPolicy) { name, value throws(LogConfigError) in
            let policies = listElements(value)
            guard !policies.isEmpty else {
                throw .kafka(name, value, "name delete, compact or both (comma-separated)")
            }
            guard policies.allSatisfy({ $0 == "delete" || $0 == "compact" }) else {
                throw .kafka(name, value, "String must be one of: compact, delete")
            }
            return policies.joined(separator: ",")
        },
        choice("compression.gzip.level", \.compressionGzipLevel) { name, value throws(LogConfigError) in
            let level: Int32 = try parse(name, value, in: Int32.min...Int32.max, typeName: "INT")
            guard level == -1 || (1...9).contains(level) else { throw .kafka(name, value, "Value must be between 1 and 9 or equal to -1") }
            return level
        },
        integer("compression.lz4.level", \.compressionLz4Level, 1...17),
        enumeration("compression.type", \.compressionType, "uncompressed, zstd, lz4, snappy, gzip, producer"),
        integer("compression.zstd.level", \.compressionZstdLevel, -131_072...22),
        integer("delete.retention.ms", \.deleteRetentionMs, 0...Int64.max),
        integer("file.delete.delay.ms", \.fileDeleteDelayMs, 0...Int64.max),
        integer("flush.messages", \.flushMessages, 1...Int64.max),
        integer("flush.ms", \.flushMs, 0...Int64.max),
        list("follower.replication.throttled.replicas", \.followerReplicationThrottledReplicas, validate: throttledReplicas),
        integer("index.interval.bytes", \.indexIntervalBytes, 0...Int(Int32.max)),
        list("leader.replication.throttled.replicas", \.leaderReplicationThrottledReplicas, validate: throttledReplicas),
        integer("local.retention.bytes", \.localRetentionBytes, -2...Int64.max),
        integer("local.retention.ms", \.localRetentionMs, -2...Int64.max),
        integer("max.compaction.lag.ms", \.maxCompactionLagMs, 1...Int64.max),
        integer("max.message.bytes", \.maxMessageBytes, 0...Int(Int32.max)),
        integer("message.timestamp.after.max.ms", \.messageTimestampAfterMaxMs, 0...Int64.max),
        integer("message.timestamp.before.max.ms", \.messageTimestampBeforeMaxMs, 0...Int64.max),
        choice("message.format.version", \.messageFormatVersion, type: .string) { name, value throws(LogConfigError) in
            // Kafka 3.x's MetadataVersion strings: 0.10.0, 0.10.0.0, 2.8-IV1, 3.0-IV1.
            let version = value.trimmingSpaces
            let parts = version.split(separator: "-", maxSplits: 1)
            let numbers = parts.first?.split(separator: ".", omittingEmptySubsequences: false) ?? []
            let numeric = (2...4).contains(numbers.count) && numbers.allSatisfy { !$0.isEmpty && $0.count < 4 && $0.allSatisfy { $0.isASCII && $0.isNumber } }
            let suffix = parts.count == 1 || (parts[1].hasPrefix("IV") && parts[1].count < 6 && parts[1].dropFirst(2).allSatisfy { $0.isASCII && $0.isNumber })
            guard numeric && suffix else { throw .kafka(name, value, "Version `\(LogConfigError.shown(version))` is not a valid version") }
            return version
        },
        enumeration("message.timestamp.type", \.messageTimestampType, "CreateTime, LogAppendTime"),
        choice("min.cleanable.dirty.ratio", \.minCleanableDirtyRatio, type: .double) { name, value throws(LogConfigError) in
            guard let ratio = Double(value.trimmingSpaces), ratio.isFinite else {
                throw .kafka(name, value, "Not a number of type DOUBLE")
            }
            guard (0...1).contains(ratio) else { throw .kafka(name, value, ratio < 0 ? "Value must be at least 0.0" : "Value must be no more than 1.0") }
            return ratio
        },
        integer("min.compaction.lag.ms", \.minCompactionLagMs, 0...Int64.max),
        integer("min.insync.replicas", \.minInsyncReplicas, 1...Int32.max),
        boolean("preallocate", \.preallocate),
        boolean("remote.log.copy.disable", \.remoteLogCopyDisable),
        boolean("remote.log.delete.on.disable", \.remoteLogDeleteOnDisable),
        boolean("remote.storage.enable", \.remoteStorageEnable),
        integer("retention.bytes", \.retentionBytes, Int64.min...Int64.max),
        integer("retention.ms", \.retentionMs, -1...Int64.max),
        integer("segment.bytes", \.segmentBytes, 14...Int(Int32.max)),
        integer("segment.index.bytes", \.segmentIndexBytes, 12...Int(Int32.max)),
        integer("segment.jitter.ms", \.segmentJitterMs, 0...Int64.max),
        integer("segment.ms", \.segmentMs, 1...Int64.max),
        boolean("unclean.leader.election.enable", \.uncleanLeaderElectionEnable),
    ]

    // MARK: Kinds of property

    private static func integer<Value: FixedWidthInteger & Sendable>(
        _ name: String, _ keyPath: WritableKeyPath<LogConfig, Value> & Sendable, _ range: ClosedRange<Value>
    ) -> Property {
        // Kafka's LONG properties reach Int64.max; its INT ones stop at Int32.max.
        let isLong = range.upperBound > Int32.max
        let typeName = isLong ? "LONG" : "INT"
        return choice(name, keyPath, type: isLong ? .long : .int) { name, value throws(LogConfigError) in
            try parse(name, value, in: range, typeName: typeName)
        }
    }

    private static func choice<Value: Sendable & CustomStringConvertible>(
        _ name: String, _ keyPath: WritableKeyPath<LogConfig, Value> & Sendable, type: ValueType = .int,
        _ parse: @escaping @Sendable (String, String) throws(LogConfigError) -> Value
    ) -> Property {
        Property(name: name, type: type, describe: { $0[keyPath: keyPath].description },
                 apply: { config, value throws(LogConfigError) in config[keyPath: keyPath] = try parse(name, value) })
    }

    private static func boolean(_ name: String, _ keyPath: WritableKeyPath<LogConfig, Bool> & Sendable) -> Property {
        choice(name, keyPath, type: .boolean) { name, value throws(LogConfigError) in
            switch value.trimmingSpaces.lowercased() {
            case "true": return true
            case "false": return false
            default: throw .kafka(name, value, "Expected value to be either true or false")
            }
        }
    }

    private static func enumeration<Value: RawRepresentable<String> & Sendable>(
        _ name: String, _ keyPath: WritableKeyPath<LogConfig, Value> & Sendable, _ allowed: String
    ) -> Property {
        Property(name: name, type: .string, describe: { $0[keyPath: keyPath].rawValue },
                 apply: { config, value throws(LogConfigError) in
                     guard let parsed = Value(rawValue: value.trimmingSpaces) else {
                         throw .kafka(name, value, "String must be one of: \(allowed)")
                     }
                     config[keyPath: keyPath] = parsed
                 })
    }

    private static func list(
        _ name: String, _ keyPath: WritableKeyPath<LogConfig, String> & Sendable,
        validate: @escaping @Sendable (String, String) throws(LogConfigError) -> String
    ) -> Property {
        Property(name: name, type: .list, describe: { $0[keyPath: keyPath] },
                 apply: { config, value throws(LogConfigError) in config[keyPath: keyPath] = try validate(name, value) })
    }

    /// Kafka's `ThrottledReplicaListValidator`: `*`, or `partition:broker` pairs.
    private static func throttledReplicas(_ name: String, _ value: String) throws(LogConfigError) -> String {
        let elements = listElements(value)
        let pairs = elements.allSatisfy { element in
            let parts = element.split(separator: ":", omittingEmptySubsequences: false)
            return element.isEmpty || (parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } })
        }
        guard pairs || elements.joined() == "*" else {
            throw .kafka(name, value, "\(name) must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...")
        }
        return elements.joined(separator: ",")
    }

    private static func parse<Value: FixedWidthInteger>(
        _ name: String, _ value: String, in range: ClosedRange<Value>, typeName: String
    ) throws(LogConfigError) -> Value {
        guard let parsed = Value(value.trimmingSpaces, radix: 10) else {
            throw .kafka(name, value, "Not a number of type \(typeName)")
        }
        if parsed < range.lowerBound { throw .kafka(name, value, "Value must be at least \(range.lowerBound)") }
        if parsed > range.upperBound { throw .kafka(name, value, "Value must be no more than \(range.upperBound)") }
        return parsed
    }
}

extension LogConfigError {
    /// An invalid value, worded as Kafka's `ConfigException` words it:
    /// "Invalid value V for configuration NAME: WHY".
    static func kafka(_ name: String, _ value: String, _ why: String) -> LogConfigError {
        LogConfigError(.invalidValue, name: name, value: value, "Invalid value \(shown(value)) for configuration \(name): \(why)")
    }

    /// A value as a message shows it: at most 100 characters, so that a hostile value does not flood logs and answers.
    static func shown(_ value: String) -> String {
        value.count <= 100 ? value : String(value.prefix(100)) + "… (\(value.utf8.count) bytes)"
    }
}

extension LogConfig {
    /// The value of the property `name` as Kafka prints it, nil if it is not a topic config.
    public func value(of name: String) -> String? { Self.property(named: name)?.describe(self) }
}
