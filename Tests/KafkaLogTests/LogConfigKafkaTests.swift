@testable import KafkaLog
import Testing

/// Every topic config of Kafka 4.x: names, defaults, ranges and Kafka's messages.
@Suite struct LogConfigKafkaTests {
    static let kafkaTopicConfigs: Set<String> = [
        "cleanup.policy", "compression.type", "compression.gzip.level", "compression.lz4.level", "compression.zstd.level",
        "delete.retention.ms", "file.delete.delay.ms", "flush.messages", "flush.ms", "follower.replication.throttled.replicas",
        "leader.replication.throttled.replicas", "index.interval.bytes", "local.retention.bytes", "local.retention.ms",
        "max.compaction.lag.ms", "max.message.bytes", "message.timestamp.after.max.ms", "message.timestamp.before.max.ms",
        "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms", "min.insync.replicas", "preallocate",
        "remote.storage.enable", "remote.log.copy.disable", "remote.log.delete.on.disable", "retention.bytes", "retention.ms",
        "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms", "unclean.leader.election.enable",
        "message.format.version",
    ]

    @Test func everyKafkaTopicConfigIsKnownAndDescribed() {
        #expect(LogConfig.knownNames == Self.kafkaTopicConfigs)
        #expect(Set(LogConfig().describedEntries.map(\.name)) == Self.kafkaTopicConfigs)
    }

    @Test func defaultsAreKafka4s() {
        let values = Dictionary(uniqueKeysWithValues: LogConfig().describedEntries.map { ($0.name, $0.value) })
        let expected: [String: String] = [
            "cleanup.policy": "delete", "compression.type": "producer", "compression.gzip.level": "-1",
            "compression.lz4.level": "9", "compression.zstd.level": "3", "delete.retention.ms": "86400000",
            "file.delete.delay.ms": "60000", "follower.replication.throttled.replicas": "",
            "leader.replication.throttled.replicas": "", "max.compaction.lag.ms": "9223372036854775807",
            "message.timestamp.after.max.ms": "3600000", "message.timestamp.before.max.ms": "9223372036854775807",
            "min.cleanable.dirty.ratio": "0.5", "min.compaction.lag.ms": "0", "min.insync.replicas": "1",
            "preallocate": "false", "segment.jitter.ms": "0", "unclean.leader.election.enable": "false",
            "segment.index.bytes": "10485760", "local.retention.ms": "-2", "local.retention.bytes": "-2",
        ]
        for (name, value) in expected { #expect(values[name] == value, "\(name)") }
    }

    @Test func typesAreKafkas() {
        #expect(LogConfig.valueType(of: "cleanup.policy") == .list)
        #expect(LogConfig.valueType(of: "leader.replication.throttled.replicas") == .list)
        #expect(LogConfig.valueType(of: "max.message.bytes") == .int)
        #expect(LogConfig.valueType(of: "retention.ms") == .long)
        #expect(LogConfig.valueType(of: "min.cleanable.dirty.ratio") == .double)
        #expect(LogConfig.valueType(of: "preallocate") == .boolean)
        #expect(LogConfig.valueType(of: "compression.type") == .string)
        #expect(LogConfig.valueType(of: "retention.hours") == nil)
    }

    @Test func acceptsKafkasValues() throws {
        let config = try LogConfig().applying([
            "compression.type": "zstd", "compression.gzip.level": "9", "compression.lz4.level": "17",
            "compression.zstd.level": "-131072", "delete.retention.ms": "0", "file.delete.delay.ms": "0",
            "follower.replication.throttled.replicas": "0:1, 1:1", "leader.replication.throttled.replicas": "*",
            "max.compaction.lag.ms": "1000", "min.compaction.lag.ms": "1000", "message.timestamp.after.max.ms": "0",
            "message.timestamp.before.max.ms": "86400000", "min.cleanable.dirty.ratio": "1", "min.insync.replicas": "2",
            "preallocate": "TRUE", "segment.jitter.ms": "5", "unclean.leader.election.enable": "true",
            "message.format.version": "0.10.0.0",
        ])
        #expect(config.messageFormatVersion == "0.10.0.0")
        #expect(config.compressionType == .zstd)
        #expect(config.compressionGzipLevel == 9)
        #expect(config.compressionZstdLevel == -131_072)
        #expect(config.followerReplicationThrottledReplicas == "0:1,1:1")
        #expect(config.leaderReplicationThrottledReplicas == "*")
        #expect(config.minCleanableDirtyRatio == 1)
        #expect(config.minInsyncReplicas == 2)
        #expect(config.preallocate)
        #expect(try LogConfig().applying(["compression.gzip.level": "-1"]).compressionGzipLevel == -1)
        for codec in ["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"] {
            #expect(try LogConfig().applying(["compression.type": codec]).compressionType.rawValue == codec)
        }
    }

    @Test(arguments: [
        ("compression.type", "brotli"), ("compression.type", "ZSTD"), ("compression.type", ""),
        ("compression.gzip.level", "0"), ("compression.gzip.level", "10"), ("compression.gzip.level", "-2"),
        ("compression.lz4.level", "0"), ("compression.lz4.level", "18"), ("compression.zstd.level", "23"),
        ("compression.zstd.level", "-131073"), ("compression.zstd.level", "3.5"), ("delete.retention.ms", "-1"),
        ("file.delete.delay.ms", "-1"), ("max.compaction.lag.ms", "0"), ("min.compaction.lag.ms", "-1"),
        ("message.timestamp.after.max.ms", "-1"), ("message.timestamp.before.max.ms", "9223372036854775808"),
        ("min.cleanable.dirty.ratio", "1.01"), ("min.cleanable.dirty.ratio", "-0.1"), ("min.cleanable.dirty.ratio", "nan"),
        ("min.cleanable.dirty.ratio", "inf"), ("min.cleanable.dirty.ratio", "half"), ("min.insync.replicas", "0"),
        ("min.insync.replicas", "2147483648"), ("preallocate", "yes"), ("unclean.leader.election.enable", "1"),
        ("segment.jitter.ms", "-1"), ("leader.replication.throttled.replicas", "0:1,*"),
        ("follower.replication.throttled.replicas", "a:b"), ("follower.replication.throttled.replicas", "0:"),
        ("remote.storage.enable", "maybe"), ("local.retention.ms", "-3"), ("local.retention.bytes", "-3"),
        ("retention.ms", "１０"), ("max.message.bytes", "0x10"), ("segment.ms", "+"), ("flush.ms", "\u{0}"),
        ("retention.ms", String(repeating: "9", count: 10_000)), ("message.format.version", "latest"),
        ("message.format.version", "3"), ("message.format.version", "3.0-XV1"),
    ])
    func badValuesGetKafkasMessage(name: String, value: String) {
        #expect {
            _ = try LogConfig().applying([name: value])
        } throws: { error in
            guard let error = error as? LogConfigError else { return false }
            return error.kind == .invalidValue && error.name == name && error.kafkaErrorCode == 40
                && error.message.hasPrefix("Invalid value ") && error.message.contains("for configuration \(name): ")
                && error.message.count < 400
        }
    }

    @Test func minCompactionLagMustNotExceedTheMax() {
        #expect {
            _ = try LogConfig().applying(["min.compaction.lag.ms": "2000", "max.compaction.lag.ms": "1000"])
        } throws: { error in
            (error as? LogConfigError)?.message == "conflict topic config setting min.compaction.lag.ms (2000) > max.compaction.lag.ms (1000)"
        }
    }

    @Test func unknownNamesSayKafkasWords() {
        #expect {
            _ = try LogConfig().applying(["log.retention.ms": "3"])
        } throws: { error in
            (error as? LogConfigError)?.message.hasPrefix("Unknown topic config name: log.retention.ms") == true
        }
    }

    @Test func listElementsSplitAsKafkaDoes() {
        #expect(LogConfig.listElements("") == [])
        #expect(LogConfig.listElements("  ") == [])
        #expect(LogConfig.listElements(" compact , delete ") == ["compact", "delete"])
        #expect(LogConfig().value(of: "cleanup.policy") == "delete")
        #expect(LogConfig().value(of: "nope") == nil)
    }
}
