/// Where a transaction stands, with Kafka's names (`TransactionState`).
enum TransactionState: UInt8, Sendable, CaseIterable {
    /// No transaction in progress; the producer may begin one.
    case empty = 0
    /// Partitions or offsets were added: a transaction is in progress.
    case ongoing = 1
    /// Commit decided; the markers are being written.
    case prepareCommit = 2
    /// Abort decided; the markers are being written.
    case prepareAbort = 3
    /// The last transaction committed (its markers are written).
    case completeCommit = 4
    /// The last transaction aborted (its markers are written).
    case completeAbort = 5

    /// Kafka's name, as DescribeTransactions and ListTransactions report it.
    var kafkaName: String {
        switch self {
        case .empty: "Empty"
        case .ongoing: "Ongoing"
        case .prepareCommit: "PrepareCommit"
        case .prepareAbort: "PrepareAbort"
        case .completeCommit: "CompleteCommit"
        case .completeAbort: "CompleteAbort"
        }
    }

    /// Whether an end was decided and its markers are not all written yet.
    var isPreparing: Bool { self == .prepareCommit || self == .prepareAbort }
}

/// What the transaction coordinator knows of one transactional id: Kafka's
/// `TransactionMetadata`. A plain value, written whole to the transaction
/// state log at every change.
struct TransactionMetadata: Sendable, Equatable {
    typealias TopicPartition = CommittedOffsetStore.TopicPartition

    var transactionalId: String
    var producerId: Int64
    var producerEpoch: Int16
    /// The producer's `transaction.timeout.ms`.
    var timeoutMs: Int32
    var state: TransactionState
    /// The partitions the transaction in progress writes to.
    var partitions: Set<TopicPartition> = []
    /// The groups whose offsets the transaction commits (AddOffsetsToTxn).
    var groups: Set<String> = []
    /// Offsets sent with TxnOffsetCommit, committed only when the transaction commits.
    var pendingOffsets: [String: [TopicPartition: OffsetAndMetadata]] = [:]
    /// When the transaction in progress began (ms since the epoch); -1 when none is.
    var startTimestamp: Int64 = -1
    /// When this metadata last changed (ms since the epoch).
    var lastUpdateTimestamp: Int64

    /// Forgets the transaction in progress, keeping the producer.
    mutating func clearTransaction(state: TransactionState, now: Int64) {
        self.state = state
        partitions = []
        groups = []
        pendingOffsets = [:]
        startTimestamp = -1
        lastUpdateTimestamp = now
    }

    /// Whether the transaction in progress has outlived its timeout at `now`.
    func hasTimedOut(now: Int64) -> Bool {
        state == .ongoing && startTimestamp >= 0 && now - startTimestamp > Int64(timeoutMs)
    }
}
