@testable import KafkaLog
import Testing

@Suite struct LogConfigTests {
    @Test func defaultsAreKafkas() {
        let config = LogConfig()
        #expect(config.segmentBytes == 1_073_741_824)
        #expect(config.segmentMs == 604_800_000)
        #expect(config.retentionMs == 604_800_000)
        #expect(config.retentionBytes == -1)
        #expect(config.flushMessages == .max)
        #expect(config.flushMs == .max)
        #expect(config.indexIntervalBytes == 4096)
        #expect(config.maxMessageBytes == 1_048_588)
        #expect(config.messageTimestampType == .createTime)
        #expect(config.cleanupPolicy == "delete")
    }

    @Test func applyingSetsEveryKnownProperty() throws {
        let config = try LogConfig().applying([
            "segment.bytes": "1048576", "segment.ms": "3600000", "segment.index.bytes": "4096",
            "retention.ms": "-1", "retention.bytes": "5000000", "flush.messages": "1", "flush.ms": " 1000 ",
            "index.interval.bytes": "0", "max.message.bytes": "104857600",
            "message.timestamp.type": "LogAppendTime", "cleanup.policy": "compact, delete",
        ])
        #expect(config.segmentBytes == 1_048_576)
        #expect(config.segmentMs == 3_600_000)
        #expect(config.segmentIndexBytes == 4096)
        #expect(config.retentionMs == -1)
        #expect(config.retentionBytes == 5_000_000)
        #expect(config.flushMessages == 1)
        #expect(config.flushMs == 1000)
        #expect(config.indexIntervalBytes == 0)
        #expect(config.maxMessageBytes == 104_857_600)
        #expect(config.messageTimestampType == .logAppendTime)
        #expect(config.cleanupPolicy == "compact,delete")
        #expect(config.deletesByRetention)
        #expect(try !LogConfig().applying(["cleanup.policy": "compact"]).deletesByRetention)
    }

    @Test(arguments: [
        ("segment.bytes", "13"), ("segment.bytes", "2147483648"), ("segment.bytes", "1GB"), ("segment.ms", "0"),
        ("retention.ms", "-2"), ("retention.bytes", "9223372036854775808"), ("flush.messages", "0"), ("flush.ms", "-1"),
        ("index.interval.bytes", "-1"), ("max.message.bytes", "-5"), ("message.timestamp.type", "BrokerTime"),
        ("cleanup.policy", "archive"), ("cleanup.policy", ""), ("segment.index.bytes", "4"),
    ])
    func badValuesAreNamed(name: String, value: String) {
        #expect {
            _ = try LogConfig().applying([name: value])
        } throws: { error in
            guard let error = error as? LogConfigError else { return false }
            return error.kind == .invalidValue && error.name == name && error.value == value
                && error.message.contains(name) && error.kafkaErrorCode == 40
        }
    }

    @Test func unknownNamesAreRejected() {
        #expect {
            _ = try LogConfig().applying(["retention.hours": "1"])
        } throws: { error in
            guard let error = error as? LogConfigError else { return false }
            return error.kind == .unknownName && error.name == "retention.hours" && error.message.contains("retention.ms")
        }
    }

    @Test func describedEntriesMarkDefaults() throws {
        let config = try LogConfig().applying(["retention.ms": "1000"])
        let entries = Dictionary(uniqueKeysWithValues: config.describedEntries.map { ($0.name, $0) })
        #expect(Set(entries.keys) == LogConfig.knownNames)
        #expect(entries["retention.ms"] == LogConfig.Entry(name: "retention.ms", value: "1000", isDefault: false, type: .long))
        #expect(entries["segment.bytes"] == LogConfig.Entry(name: "segment.bytes", value: "1073741824", isDefault: true, type: .int))
        #expect(entries["flush.ms"]?.value == "9223372036854775807")
        let brokerDefaults = try LogConfig().applying(["retention.ms": "1000"])
        #expect(config.describedEntries(defaults: brokerDefaults).allSatisfy { $0.isDefault })
    }

    @Test func describedValuesApplyBackToTheSameConfig() throws {
        let config = try LogConfig().applying(["message.timestamp.type": "LogAppendTime", "retention.bytes": "77"])
        let properties = Dictionary(uniqueKeysWithValues: config.describedEntries.map { ($0.name, $0.value) })
        #expect(try LogConfig().applying(properties) == config)
    }
}
