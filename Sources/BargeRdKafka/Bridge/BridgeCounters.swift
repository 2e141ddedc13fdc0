import Metrics
import NIOConcurrencyHelpers

/// What a bridge has done, for its caller (``BargeBridge/statistics``) and
/// through swift-metrics (`barge_bridge_*`, under the bootstrapped backend).
final class BridgeCounters: Sendable {
    private let totals = NIOLockedValueBox(BargeBridgeStatistics())
    private let records: Counter
    private let movedRecords: Counter
    private let movedBytes: Counter
    private let passedBytes: Counter
    private let retries: Counter
    private let lagGauge: Gauge

    init(bridge: String, factory: any MetricsFactory = MetricsSystem.factory) {
        let dimensions = [("bridge", bridge)]
        records = Counter(label: "barge_bridge_records_total", dimensions: dimensions, factory: factory)
        movedRecords = Counter(label: "barge_bridge_moved_records_total", dimensions: dimensions, factory: factory)
        movedBytes = Counter(label: "barge_bridge_moved_bytes_total", dimensions: dimensions, factory: factory)
        passedBytes = Counter(label: "barge_bridge_passed_bytes_total", dimensions: dimensions, factory: factory)
        retries = Counter(label: "barge_bridge_retries_total", dimensions: dimensions, factory: factory)
        lagGauge = Gauge(label: "barge_bridge_lag_records", dimensions: dimensions, factory: factory)
    }

    /// Work made durable (a committed transaction, or acknowledged records
    /// whose offsets are stored): added to the totals.
    func add(_ work: BridgeWork) {
        records.increment(by: work.records)
        movedRecords.increment(by: work.movedRecords)
        movedBytes.increment(by: work.movedBytes)
        passedBytes.increment(by: work.passedBytes)
        totals.withLockedValue {
            $0.records += work.records
            $0.movedRecords += work.movedRecords
            $0.movedBytes += work.movedBytes
            $0.passedBytes += work.passedBytes
        }
    }

    /// A transient failure (store or cluster down): the work is retried.
    func retried() {
        retries.increment()
        totals.withLockedValue { $0.retries += 1 }
    }

    /// A worker's lag: records in its partitions not yet read.
    func lag(_ records: Int64, worker: Int) {
        let total = totals.withLockedValue {
            $0.lagByWorker[worker] = records
            return $0.lagByWorker.values.reduce(0, +)
        }
        lagGauge.record(total)
    }

    var statistics: BargeBridgeStatistics { totals.withLockedValue { $0 } }
}

/// What a bridge has done since it started.
public struct BargeBridgeStatistics: Sendable, Hashable {
    /// Source records written to the target (committed, or acknowledged
    /// without transactions).
    public var records = 0
    /// Of those, records whose payload was externalized or internalized.
    public var movedRecords = 0
    /// Payload bytes of moved records.
    public var movedBytes: Int64 = 0
    /// Value bytes of records passed unchanged.
    public var passedBytes: Int64 = 0
    /// Transient failures retried.
    public var retries = 0
    /// Records in the source not read yet, per worker, as last measured.
    var lagByWorker: [Int: Int64] = [:]

    /// Records in the source not read yet, as last measured.
    public var lag: Int64 { lagByWorker.values.reduce(0, +) }
}

/// Records a worker wrote and has not made durable yet.
struct BridgeWork: Sendable {
    var records = 0
    var movedRecords = 0
    var movedBytes: Int64 = 0
    var passedBytes: Int64 = 0

    /// Adds `other`'s records.
    mutating func add(_ other: BridgeWork) {
        records += other.records
        movedRecords += other.movedRecords
        movedBytes += other.movedBytes
        passedBytes += other.passedBytes
    }

    /// One source record, whose `bytes` were moved or passed unchanged.
    mutating func add(bytes: Int, moved: Bool) {
        records += 1
        if moved {
            movedRecords += 1
            movedBytes += Int64(bytes)
        } else {
            passedBytes += Int64(bytes)
        }
    }
}
