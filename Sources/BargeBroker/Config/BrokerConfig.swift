import KafkaLog
import Foundation

/// The broker's settings, named as Kafka names them.
///
/// Build one with `BrokerConfig()` and set fields, or from Kafka-style
/// properties (a `server.properties` file and `--set key=value` flags) with
/// `applying(_:)`, which rejects unknown names and bad values.
public struct BrokerConfig: Sendable, Equatable {
    /// `node.id`: this broker's id in metadata. Default: 1.
    public var nodeId: Int32 = 1
    /// `listeners`: where the broker listens, `NAME://HOST:PORT` each.
    /// Default: PLAINTEXT://127.0.0.1:9092 (this machine only).
    public var listeners = [BrokerListener(name: "PLAINTEXT", host: "127.0.0.1", port: 9092)]
    /// `listener.security.protocol.map`: each listener name's security
    /// protocol. Default: PLAINTEXT, SSL, SASL_PLAINTEXT and SASL_SSL map to themselves.
    public var listenerSecurityProtocolMap = BrokerListener.defaultProtocolMap
    /// `advertised.listeners`: the addresses given to clients, by listener
    /// name; a listener not named here is advertised at its own address.
    public var advertisedListeners: [BrokerListener] = []
    /// TLS for SSL and SASL_SSL listeners: `ssl.*`.
    public var tls = TLSConfig()
    /// SASL, ACLs and connection limits.
    public var security = SecurityConfig()
    /// `log.dirs`: where topics, logs and metadata live.
    public var dataDirectory: String = "./.barge/data"
    /// `cluster.id` reported in metadata. Default: generated once and kept in the data directory.
    public var clusterId: String?
    /// `message.max.bytes`: the largest record batch accepted. Default: 1048588.
    public var messageMaxBytes: Int = 1_048_588
    /// `socket.request.max.bytes`: the largest request frame accepted. Default: 104857600.
    public var socketRequestMaxBytes: Int = 104_857_600
    /// `queued.max.request.bytes`: the most bytes of request frames held in
    /// memory at once, across all connections: a frame received whole is
    /// granted its size before its body is read and gives it back once
    /// served; a connection whose next frame does not fit stops being read
    /// until bytes are given back. -1: no bound (Kafka's default). Default
    /// here: 104857600 (100 MiB).
    public var queuedMaxRequestBytes: Int = 104_857_600
    /// `non.produce.request.max.bytes` (Barge's own): the largest frame of any
    /// request but Produce; such requests are held whole in memory, and none
    /// needs much (Metadata for 10,000 topics is about 1 MB). A larger frame
    /// closes its connection. Default: 8388608 (8 MiB).
    public var nonProduceRequestMaxBytes: Int = 8_388_608
    /// `message.max.uncompressed.bytes` (Barge's own): the most a compressed
    /// record batch may decompress to; the broker checks the records inside
    /// every batch, reading compressed ones through a bounded window, so this
    /// bounds the work a batch costs, not memory. A topic's `max.message.bytes`
    /// raises it for that topic. Default: 134217728 (128 MiB).
    public var messageMaxUncompressedBytes: Int = 134_217_728
    /// `fetch.max.bytes`: the most a fetch response carries (the first batch may exceed it). Default: 57671680.
    public var fetchMaxBytes: Int = 57_671_680
    /// `produce.spool.threshold.bytes` (Barge's own): Produce requests of at
    /// least this many bytes are received into a spool file as they arrive
    /// instead of into memory. Default: 8388608.
    public var produceSpoolThresholdBytes: Int = 8 * 1024 * 1024
    /// `auto.create.topics.enable`: create unknown topics on metadata or produce. Default: true.
    public var autoCreateTopics: Bool = true
    /// `num.partitions`: partitions of an auto-created topic. Default: 1.
    public var numPartitions: Int32 = 1
    /// `log.retention.check.interval.ms`: how often retention runs. Default: 300000.
    public var retentionCheckIntervalMs: Int64 = 300_000
    /// `log.flush.scheduler.interval.ms`: how often `flush.ms` is checked. Default: 1000 here (Kafka: never).
    public var flushSchedulerIntervalMs: Int64 = 1_000
    /// `group.initial.rebalance.delay.ms`, `group.min.session.timeout.ms`,
    /// `group.max.session.timeout.ms`: the group coordinator's settings.
    var groups = GroupConfiguration()
    /// `offsets.retention.minutes`: how long committed offsets of an empty group are kept. Default: 10080 (7 days).
    public var offsetsRetentionMinutes: Int64 = 10_080
    /// `offsets.retention.check.interval.ms`: how often expired offsets are removed. Default: 600000.
    public var offsetsRetentionCheckIntervalMs: Int64 = 600_000
    /// `offset.metadata.max.bytes`: the longest commit metadata. Default: 4096.
    public var offsetMetadataMaxBytes: Int = 4096
    /// `transaction.max.timeout.ms`, `transaction.abort.timed.out.transaction.cleanup.interval.ms`,
    /// `transactional.id.expiration.ms`: the transaction coordinator's settings.
    var transactions = TransactionConfiguration()
    /// Topic defaults, by Kafka's broker names (`topicDefaultNames`):
    /// `log.segment.bytes`, `log.roll.ms`, `log.retention.ms`, `log.retention.bytes`,
    /// `log.cleanup.policy`, `compression.type`, `min.insync.replicas`, `message.max.bytes`, ...
    public var topicDefaults = LogConfig()
    /// Tiered storage: `remote.log.storage.system.enable`, the remote tier and its cache.
    public var remoteStorage = RemoteStorageConfig()

    public init() {}

    /// The first listener's host (the one `barge broker --listen` sets).
    public var listenHost: String {
        get { listeners[0].host }
        set { listeners[0].host = newValue }
    }

    /// The first listener's port.
    public var listenPort: Int {
        get { listeners[0].port }
        set { listeners[0].port = newValue }
    }

    /// The security protocol of a listener.
    public func securityProtocol(of listener: BrokerListener) -> SecurityProtocol {
        listenerSecurityProtocolMap[listener.name] ?? .plaintext
    }

    /// Every broker property name this config understands.
    public static let knownNames: Set<String> = Set(BrokerConfig.setters.keys).union(RemoteStorageConfig.setters.keys)
        .union(TLSConfig.setters.keys).union(SecurityConfig.setters.keys)

    /// Applies Kafka-named properties on top of this config.
    public func applying(_ properties: [(key: String, value: String)]) throws -> BrokerConfig {
        var config = self
        var topicProperties: [String: String] = [:]
        var precedence: [String: Int] = [:]
        for (key, value) in properties {
            if let topicName = Self.topicDefaultNames[key] {
                // As in Kafka, `.ms` beats `.minutes` beats `.hours`, whatever the order.
                let rank = Self.unitRank(key)
                guard rank >= precedence[topicName, default: 0] else { continue }
                precedence[topicName] = rank
                topicProperties[topicName] = try Self.topicValue(for: key, value)
                if key == "message.max.bytes" { config.messageMaxBytes = try Self.int(key, value, min: 0) }
                continue
            }
            if let setter = RemoteStorageConfig.setters[key] {
                try setter(&config.remoteStorage, key, value)
                continue
            }
            if let setter = TLSConfig.setters[key] {
                try setter(&config.tls, key, value)
                continue
            }
            if let setter = SecurityConfig.setters[key] {
                try setter(&config.security, key, value)
                continue
            }
            guard let setter = Self.setters[key] else {
                throw BrokerConfigError("unknown broker property '\(key)'; known: \(Self.allNames.sorted().joined(separator: ", "))")
            }
            try setter(&config, key, value)
        }
        do {
            config.topicDefaults = try config.topicDefaults.applying(topicProperties)
        } catch {
            throw BrokerConfigError("\(error)")
        }
        try config.remoteStorage.validate(fetchMaxBytes: config.fetchMaxBytes)
        try config.validateListeners()
        return config
    }

    /// Checks that every listener has a security protocol, that advertised
    /// listeners name real ones, and that TLS and SASL listeners have what they need.
    func validateListeners() throws {
        for listener in listeners where listenerSecurityProtocolMap[listener.name] == nil {
            throw BrokerConfigError(
                "listener \(listener.name) has no security protocol: add \(listener.name):PROTOCOL to listener.security.protocol.map")
        }
        for advertised in advertisedListeners where !listeners.contains(where: { $0.name == advertised.name }) {
            throw BrokerConfigError("advertised.listeners names \(advertised.name), which is not in listeners")
        }
        try tls.validate(listeners: listeners, protocols: listenerSecurityProtocolMap)
        try security.validate(listeners: listeners, protocols: listenerSecurityProtocolMap)
    }

    /// Parses a Java properties file's text (`key=value` or `key: value`, `#` and `!` comments).
    public static func parseProperties(_ text: String) throws -> [(key: String, value: String)] {
        var result: [(key: String, value: String)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw BrokerConfigError("line \(number + 1) has no '=': \(line)")
            }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            result.append((key, value))
        }
        return result
    }

    /// Broker defaults for topic settings, broker name → topic name.
    static let topicDefaultNames: [String: String] = [
        "log.segment.bytes": "segment.bytes",
        "log.roll.ms": "segment.ms",
        "log.roll.hours": "segment.ms",
        "log.retention.ms": "retention.ms",
        "log.retention.minutes": "retention.ms",
        "log.retention.hours": "retention.ms",
        "log.retention.bytes": "retention.bytes",
        "log.flush.interval.messages": "flush.messages",
        "log.flush.interval.ms": "flush.ms",
        "log.index.interval.bytes": "index.interval.bytes",
        "log.message.timestamp.type": "message.timestamp.type",
        "message.max.bytes": "max.message.bytes",
        "log.cleanup.policy": "cleanup.policy",
        "log.local.retention.ms": "local.retention.ms",
        "log.local.retention.bytes": "local.retention.bytes",
        "log.roll.jitter.ms": "segment.jitter.ms",
        "log.roll.jitter.hours": "segment.jitter.ms",
        "log.index.size.max.bytes": "segment.index.bytes",
        "log.cleaner.delete.retention.ms": "delete.retention.ms",
        "log.cleaner.min.compaction.lag.ms": "min.compaction.lag.ms",
        "log.cleaner.max.compaction.lag.ms": "max.compaction.lag.ms",
        "log.cleaner.min.cleanable.ratio": "min.cleanable.dirty.ratio",
        "log.segment.delete.delay.ms": "file.delete.delay.ms",
        "log.message.timestamp.before.max.ms": "message.timestamp.before.max.ms",
        "log.message.timestamp.after.max.ms": "message.timestamp.after.max.ms",
        "log.preallocate": "preallocate",
        "compression.type": "compression.type",
        "compression.gzip.level": "compression.gzip.level",
        "compression.lz4.level": "compression.lz4.level",
        "compression.zstd.level": "compression.zstd.level",
        "min.insync.replicas": "min.insync.replicas",
        "unclean.leader.election.enable": "unclean.leader.election.enable",
    ]

    private static var allNames: Set<String> { knownNames.union(topicDefaultNames.keys) }

    /// Converts hours and minutes to the milliseconds the topic setting
    /// takes; a negative time means "forever" (-1), as in Kafka.
    private static func topicValue(for key: String, _ value: String) throws -> String {
        let factor: Int64 = key.hasSuffix(".hours") ? 3_600_000 : key.hasSuffix(".minutes") ? 60_000 : 1
        guard factor > 1, let number = Int64(value) else { return value }
        if number < 0 { return "-1" }
        let (milliseconds, overflow) = number.multipliedReportingOverflow(by: factor)
        guard !overflow else { throw BrokerConfigError("\(key) = \(value) is too large") }
        return String(milliseconds)
    }

    /// How specific a time setting's unit is: milliseconds 3, minutes 2, hours 1.
    private static func unitRank(_ key: String) -> Int {
        key.hasSuffix(".hours") ? 1 : key.hasSuffix(".minutes") ? 2 : 3
    }

    private typealias Setter = @Sendable (inout BrokerConfig, String, String) throws -> Void

    private static let setters: [String: Setter] = [
        "node.id": { config, key, value in config.nodeId = Int32(try int(key, value, min: 0)) },
        "broker.id": { config, key, value in config.nodeId = Int32(try int(key, value, min: 0)) },
        "listeners": { config, key, value in config.listeners = try BrokerListener.parseList(key, value) },
        "advertised.listeners": { config, key, value in config.advertisedListeners = try BrokerListener.parseList(key, value) },
        "listener.security.protocol.map": { config, key, value in
            config.listenerSecurityProtocolMap = try BrokerListener.parseProtocolMap(key, value)
        },
        "inter.broker.listener.name": { _, _, _ in },
        "controller.listener.names": { _, _, _ in },
        "log.dirs": { config, _, value in config.dataDirectory = value },
        "log.dir": { config, _, value in config.dataDirectory = value },
        "cluster.id": { config, _, value in config.clusterId = value },
        "socket.request.max.bytes": { config, key, value in config.socketRequestMaxBytes = try int(key, value, min: 1) },
        "queued.max.request.bytes": { config, key, value in
            let bytes = try int(key, value, min: -1)
            guard bytes != 0 else { throw BrokerConfigError("\(key) must be -1 (no bound) or a positive number of bytes, not 0") }
            config.queuedMaxRequestBytes = bytes
        },
        "non.produce.request.max.bytes": { config, key, value in config.nonProduceRequestMaxBytes = try int(key, value, min: 1024) },
        "message.max.uncompressed.bytes": { config, key, value in config.messageMaxUncompressedBytes = try int(key, value, min: 1024) },
        "fetch.max.bytes": { config, key, value in config.fetchMaxBytes = try int(key, value, min: 1024) },
        "produce.spool.threshold.bytes": { config, key, value in config.produceSpoolThresholdBytes = try int(key, value, min: 1024) },
        "auto.create.topics.enable": { config, key, value in config.autoCreateTopics = try bool(key, value) },
        "num.partitions": { config, key, value in config.numPartitions = Int32(try int(key, value, min: 1, max: 100_000)) },
        "log.retention.check.interval.ms": { config, key, value in config.retentionCheckIntervalMs = Int64(try int(key, value, min: 1)) },
        "log.flush.scheduler.interval.ms": { config, key, value in config.flushSchedulerIntervalMs = Int64(try int(key, value, min: 1)) },
        "group.initial.rebalance.delay.ms": { config, key, value in config.groups.initialRebalanceDelayMs = Int64(try int(key, value, min: 0)) },
        "group.min.session.timeout.ms": { config, key, value in config.groups.minSessionTimeoutMs = Int32(try int(key, value, min: 1, max: Int(Int32.max))) },
        "group.max.session.timeout.ms": { config, key, value in config.groups.maxSessionTimeoutMs = Int32(try int(key, value, min: 1, max: Int(Int32.max))) },
        "offsets.retention.minutes": { config, key, value in config.offsetsRetentionMinutes = Int64(try int(key, value, min: 1)) },
        "offsets.retention.check.interval.ms": { config, key, value in config.offsetsRetentionCheckIntervalMs = Int64(try int(key, value, min: 1)) },
        "offset.metadata.max.bytes": { config, key, value in config.offsetMetadataMaxBytes = try int(key, value, min: 0) },
        "transaction.max.timeout.ms": { config, key, value in config.transactions.maxTimeoutMs = Int32(try int(key, value, min: 1, max: Int(Int32.max))) },
        "transaction.abort.timed.out.transaction.cleanup.interval.ms": { config, key, value in
            config.transactions.abortTimedOutIntervalMs = Int64(try int(key, value, min: 1))
        },
        "transactional.id.expiration.ms": { config, key, value in config.transactions.idExpirationMs = Int64(try int(key, value, min: 1)) },
        "transaction.state.log.replication.factor": { _, key, value in _ = try int(key, value, min: 1, max: 1) },
        "transaction.state.log.min.isr": { _, key, value in _ = try int(key, value, min: 1, max: 1) },
        "default.replication.factor": { _, key, value in _ = try int(key, value, min: 1, max: 1) },
        "offsets.topic.replication.factor": { _, key, value in _ = try int(key, value, min: 1, max: 1) },
    ]

    static func int(_ key: String, _ value: String, min: Int = Int.min, max: Int = Int.max) throws -> Int {
        guard let number = Int(value), number >= min, number <= max else {
            throw BrokerConfigError("\(key) must be a whole number from \(min) to \(max), not '\(value)'")
        }
        return number
    }

    static func bool(_ key: String, _ value: String) throws -> Bool {
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw BrokerConfigError("\(key) must be true or false, not '\(value)'")
        }
    }
}

/// A broker setting that is unknown or has a bad value.
public struct BrokerConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
