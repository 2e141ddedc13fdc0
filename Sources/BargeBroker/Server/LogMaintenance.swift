import Foundation
import Logging

/// The broker's background work: deletes segments past retention every
/// `log.retention.check.interval.ms` and flushes logs whose `flush.ms` is due
/// every `log.flush.scheduler.interval.ms`.
struct LogMaintenance: Sendable {
    let broker: BrokerState
    let logger: Logger

    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await repeatedly(every: broker.config.retentionCheckIntervalMs, applyRetention) }
            group.addTask { await repeatedly(every: broker.config.flushSchedulerIntervalMs, flushDue) }
            group.addTask { await repeatedly(every: Self.groupTickMs) { await broker.groups.tick() } }
            group.addTask { await repeatedly(every: broker.config.offsetsRetentionCheckIntervalMs, expireOffsets) }
        }
    }

    /// How often group deadlines (sessions, rebalance timeouts) are checked.
    static let groupTickMs: Int64 = 100

    /// Removes committed offsets of groups that have been empty for `offsets.retention.minutes`.
    @Sendable private func expireOffsets() async {
        let now = Date.nowMilliseconds
        let retentionMs = broker.config.offsetsRetentionMinutes * 60_000
        var emptySince: [String: Int64?] = [:]
        for group in broker.offsets.groups {
            emptySince[group] = await broker.groups.emptySince(group: group)
        }
        let (offsets, known) = (broker.offsets, emptySince)
        do {
            let expired = try await broker.io.run {
                try offsets.expire(olderThan: retentionMs, now: now, emptySince: { known[$0] ?? 0 })
            }
            if !expired.isEmpty {
                logger.info("expired committed offsets", metadata: ["groups": "\(expired.keys.sorted())"])
            }
        } catch {
            logger.error("offset expiry failed", metadata: ["error": "\(error)"])
        }
    }

    @Sendable private func applyRetention() async {
        let now = Date.nowMilliseconds
        for topic in broker.topics.allTopics {
            for (index, log) in topic.partitions.enumerated() {
                do {
                    let deleted = try await broker.io.run { try log.applyRetention(now: now) }
                    if deleted > 0 {
                        logger.info("retention deleted segments", metadata: [
                            "topic": "\(topic.name)", "partition": "\(index)", "segments": "\(deleted)",
                        ])
                    }
                } catch {
                    logger.error("retention failed", metadata: ["topic": "\(topic.name)", "partition": "\(index)", "error": "\(error)"])
                }
            }
        }
    }

    @Sendable private func flushDue() async {
        let now = Date.nowMilliseconds
        for topic in broker.topics.allTopics where topic.config.flushMs != Int64.max {
            for (index, log) in topic.partitions.enumerated() {
                do {
                    try await broker.io.run { try log.flushIfDue(now: now) }
                } catch {
                    logger.error("flush failed", metadata: ["topic": "\(topic.name)", "partition": "\(index)", "error": "\(error)"])
                }
            }
        }
    }
}
