import Metrics

/// The remote tier's counters, through swift-metrics (whatever backend the
/// process bootstraps; none by default).
struct TieringMetrics: Sendable {
    /// Bytes of segments copied to the remote tier (before compression and encryption).
    let copiedBytes = Counter(label: "barge_remote_copy_bytes_total")
    /// Segments copied.
    let copiedSegments = Counter(label: "barge_remote_copy_segments_total")
    /// Bytes of closed segments of tiered topics not copied yet.
    let copyLagBytes = Gauge(label: "barge_remote_copy_lag_bytes")
    /// Segments deleted from the remote tier.
    let deletedSegments = Counter(label: "barge_remote_delete_segments_total")
    /// Bytes read from the remote tier for fetches (stored bytes of chunks fetched).
    let fetchBytes = Counter(label: "barge_remote_fetch_bytes_total")
    /// Chunk reads served by the on-disk cache.
    let cacheHits = Counter(label: "barge_remote_cache_hits_total")
    /// Chunk reads that had to fetch from the remote tier.
    let cacheMisses = Counter(label: "barge_remote_cache_misses_total")
    /// Copies or deletions that failed (retried at the next task run).
    let failures = Counter(label: "barge_remote_task_failures_total")
}
