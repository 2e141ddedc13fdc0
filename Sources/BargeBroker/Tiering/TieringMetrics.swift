import Metrics

/// The remote tier's counters, through swift-metrics (the process's
/// bootstrapped backend unless the broker was given a factory; none by default).
struct TieringMetrics: Sendable {
    /// Bytes of segments copied to the remote tier (before compression and encryption; hard-linked ones too).
    let copiedBytes: Counter
    /// Segments copied.
    let copiedSegments: Counter
    /// Bytes of closed segments of tiered topics not copied yet.
    let copyLagBytes: Gauge
    /// Segments deleted from the remote tier.
    let deletedSegments: Counter
    /// Bytes read from the remote tier for fetches (stored bytes of chunks fetched).
    let fetchBytes: Counter
    /// Chunk reads served by the on-disk cache.
    let cacheHits: Counter
    /// Chunk reads that had to fetch from the remote tier.
    let cacheMisses: Counter
    /// Copies or deletions that failed (retried at the next task run).
    let failures: Counter

    init(factory: any MetricsFactory) {
        copiedBytes = Counter(label: "barge_remote_copy_bytes_total", factory: factory)
        copiedSegments = Counter(label: "barge_remote_copy_segments_total", factory: factory)
        copyLagBytes = Gauge(label: "barge_remote_copy_lag_bytes", factory: factory)
        deletedSegments = Counter(label: "barge_remote_delete_segments_total", factory: factory)
        fetchBytes = Counter(label: "barge_remote_fetch_bytes_total", factory: factory)
        cacheHits = Counter(label: "barge_remote_cache_hits_total", factory: factory)
        cacheMisses = Counter(label: "barge_remote_cache_misses_total", factory: factory)
        failures = Counter(label: "barge_remote_task_failures_total", factory: factory)
    }
}
