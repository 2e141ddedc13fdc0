@testable import BargeBroker
import KafkaLog
import Testing

/// Broker-wide topic defaults by Kafka's broker names.
@Suite struct BrokerTopicDefaultsTests {
    @Test func kafkasBrokerNamesSetTheTopicDefaults() throws {
        let config = try BrokerConfig().applying([
            ("compression.type", "zstd"), ("compression.zstd.level", "7"), ("min.insync.replicas", "2"),
            ("log.roll.jitter.hours", "1"), ("log.index.size.max.bytes", "4096"), ("log.cleaner.delete.retention.ms", "5"),
            ("log.cleaner.min.compaction.lag.ms", "6"), ("log.cleaner.max.compaction.lag.ms", "7000"),
            ("log.cleaner.min.cleanable.ratio", "0.25"), ("log.segment.delete.delay.ms", "8"), ("log.preallocate", "true"),
            ("log.message.timestamp.before.max.ms", "9"), ("log.message.timestamp.after.max.ms", "10"),
            ("unclean.leader.election.enable", "true"),
        ])
        let defaults = config.topicDefaults
        #expect(defaults.compressionType == .zstd)
        #expect(defaults.compressionZstdLevel == 7)
        #expect(defaults.minInsyncReplicas == 2)
        #expect(defaults.segmentJitterMs == 3_600_000)
        #expect(defaults.segmentIndexBytes == 4096)
        #expect(defaults.deleteRetentionMs == 5)
        #expect(defaults.minCompactionLagMs == 6)
        #expect(defaults.maxCompactionLagMs == 7000)
        #expect(defaults.minCleanableDirtyRatio == 0.25)
        #expect(defaults.fileDeleteDelayMs == 8)
        #expect(defaults.preallocate)
        #expect(defaults.messageTimestampBeforeMaxMs == 9)
        #expect(defaults.messageTimestampAfterMaxMs == 10)
        #expect(defaults.uncleanLeaderElectionEnable)
    }

    @Test func badDefaultsAreRefusedWithKafkasMessage() {
        #expect {
            _ = try BrokerConfig().applying([("compression.type", "brotli")])
        } throws: { "\($0)".contains("Invalid value brotli for configuration compression.type") }
        #expect {
            _ = try BrokerConfig().applying([("log.cleaner.min.compaction.lag.ms", "9"), ("log.cleaner.max.compaction.lag.ms", "8")])
        } throws: { "\($0)".contains("conflict topic config setting min.compaction.lag.ms (9) > max.compaction.lag.ms (8)") }
    }
}
