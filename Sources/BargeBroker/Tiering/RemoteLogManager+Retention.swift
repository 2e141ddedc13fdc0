import Foundation
import KafkaLog

extension RemoteLogManager {
    /// The total retention, applied to the remote tier (Kafka's
    /// `RLMExpirationTask`): remote segments entirely below the log start
    /// offset (DeleteRecords), those older than `retention.ms`, and the
    /// oldest while the remote bytes plus the local bytes not copied exceed
    /// `retention.bytes`. The log start offset moves past them first, so no
    /// reader is sent to a segment that is going.
    func applyRetention(_ metadata: RemotePartitionMetadata, log: PartitionLog, config: LogConfig) async throws {
        let now = Date.nowMilliseconds
        let segments = metadata.readableSegments
        let logStart = log.logStartOffset
        var expired: [RemoteSegmentMetadata] = []
        var reasons: [String: String] = [:]
        for segment in segments where segment.endOffset <= logStart {
            expired.append(segment)
            reasons[segment.segmentId] = "log start offset"
        }
        var kept = segments.filter { $0.endOffset > logStart }
        if config.deletesByRetention && config.retentionMs >= 0 {
            while let oldest = kept.first, now - oldest.retentionTimestamp > config.retentionMs {
                expired.append(kept.removeFirst())
                reasons[oldest.segmentId] = "retention.ms"
            }
        }
        if config.deletesByRetention && config.retentionBytes >= 0 {
            var excess = kept.reduce(Int64(log.bytesNotCopied)) { $0 + Int64($1.size) } - config.retentionBytes
            while let oldest = kept.first, excess >= Int64(oldest.size) {
                excess -= Int64(oldest.size)
                expired.append(kept.removeFirst())
                reasons[oldest.segmentId] = "retention.bytes"
            }
        }
        guard let last = expired.last else { return }
        try await io.run { try log.advanceStartOffset(to: last.endOffset) }
        let why = reasons
        try await delete(expired, from: metadata) { why[$0.segmentId] ?? "retention" }
    }

    /// Deletes every remote segment of a partition whose topic turned remote
    /// storage off (`remote.log.delete.on.disable`), then the log forgets its remote tier.
    func deleteAll(_ metadata: RemotePartitionMetadata, log: PartitionLog, reason: String) async throws {
        try await delete(metadata.segments, from: metadata) { _ in reason }
        try await io.run { try log.forgetRemoteTier() }
    }

    /// DELETE_SEGMENT_STARTED is recorded for all of them, their objects are
    /// deleted, then they leave the metadata (DELETE_SEGMENT_FINISHED).
    private func delete(_ segments: [RemoteSegmentMetadata], from metadata: RemotePartitionMetadata,
                        reason: @Sendable (RemoteSegmentMetadata) -> String) async throws {
        let ids = Set(segments.map(\.segmentId))
        try await io.run {
            try metadata.update { all in
                for index in all.indices where ids.contains(all[index].segmentId) { all[index].state = .deleteSegmentStarted }
            }
        }
        for segment in segments {
            for key in try metadata.keys.all(segment) { try await store.delete(key) }
            metrics.deletedSegments.increment()
            logger.info("deleted a segment from the remote tier", metadata: [
                "topic": "\(metadata.keys.topic)", "partition": "\(metadata.keys.partition)",
                "baseOffset": "\(segment.baseOffset)", "endOffset": "\(segment.endOffset)", "reason": "\(reason(segment))",
            ])
        }
        try await io.run { try metadata.update { $0.removeAll { ids.contains($0.segmentId) } } }
    }
}
