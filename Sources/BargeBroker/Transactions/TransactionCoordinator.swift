import Foundation
import KafkaLog
import KafkaProtocol
import Logging

/// The producer id and epoch a transaction in progress writes with.
struct TransactionWriter: Sendable, Equatable {
    var producerId: Int64
    var epoch: Int16
}

/// Kafka's transaction coordinator for this single broker: producer ids and
/// epochs per `transactional.id`, the partitions and group offsets of each
/// transaction, its end with markers written to every partition, fencing of
/// zombies, and timeouts.
///
/// Every change is written to the `TransactionStateStore` before it is
/// answered. Ending a transaction writes the decision (PrepareCommit or
/// PrepareAbort) first, then the markers (and, for a commit, the pending
/// group offsets), then the completion: a decision found at start is
/// carried out again, so a commit decided before a crash completes after
/// it; a transaction still in progress goes on if its producer comes back,
/// and is aborted at its timeout if not.
///
/// One request at a time per transactional id: a second one while the first
/// waits for the disk gets CONCURRENT_TRANSACTIONS, which clients retry.
actor TransactionCoordinator {
    typealias TopicPartition = TransactionMetadata.TopicPartition

    let configuration: TransactionConfiguration
    nonisolated let store: TransactionStateStore
    private let topics: TopicRegistry
    private let offsets: CommittedOffsetStore
    private let producerIds: ProducerIdAllocator
    private let io: BlockingIOPool
    private let appends: AppendSignal
    private let logger: Logger
    private var transactions: [String: TransactionMetadata]
    /// Ids with a change waiting for the disk.
    private var busy: Set<String> = []
    /// Ids whose EndTxn is in progress: their producers may not write any more.
    private var ending: Set<String> = []

    init(
        configuration: TransactionConfiguration, store: TransactionStateStore, topics: TopicRegistry, offsets: CommittedOffsetStore,
        producerIds: ProducerIdAllocator, io: BlockingIOPool, appends: AppendSignal, logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.topics = topics
        self.offsets = offsets
        self.producerIds = producerIds
        self.io = io
        self.appends = appends
        self.logger = logger
        self.transactions = store.loaded
    }

    /// The longest transactional id or group id the state log holds.
    static let maximumNameBytes = Int(Int16.max)

    // MARK: Requests

    /// InitProducerId with a transactional id: a new producer gets a new id
    /// at epoch 0; a known one gets its epoch bumped (a pending end is
    /// completed and a transaction in progress aborted first), which fences
    /// every older instance. With `expected` (KIP-360, v3+) the producer
    /// must hold the current id and epoch.
    func initProducerId(
        transactionalId: String, timeoutMs: Int32, expected: (producerId: Int64, epoch: Int16)?, fencedCode: KafkaErrorCode
    ) async throws(TransactionRefusal) -> (producerId: Int64, epoch: Int16) {
        guard !transactionalId.isEmpty, transactionalId.utf8.count <= Self.maximumNameBytes else {
            throw TransactionRefusal(.invalidRequest, "a transactional id must have 1 to \(Self.maximumNameBytes) bytes")
        }
        guard timeoutMs > 0, timeoutMs <= configuration.maxTimeoutMs else {
            throw TransactionRefusal(.invalidTransactionTimeout, "transaction.timeout.ms \(timeoutMs) is not within 1...\(configuration.maxTimeoutMs) (transaction.max.timeout.ms)")
        }
        try claim(transactionalId)
        defer { busy.remove(transactionalId) }
        let now = Date.nowMilliseconds
        guard var metadata = transactions[transactionalId] else {
            let producerId = try await allocateProducerId()
            let metadata = TransactionMetadata(transactionalId: transactionalId, producerId: producerId, producerEpoch: 0,
                                               timeoutMs: timeoutMs, state: .empty, lastUpdateTimestamp: now)
            try await persist(metadata)
            logger.debug("new transactional producer", metadata: ["transactional-id": "\(transactionalId)", "producer-id": "\(producerId)"])
            return (producerId, 0)
        }
        if let expected, expected.producerId != metadata.producerId || expected.epoch != metadata.producerEpoch {
            throw TransactionRefusal(fencedCode, "producer \(expected.producerId) epoch \(expected.epoch) is not the current one of '\(transactionalId)' (\(metadata.producerId) epoch \(metadata.producerEpoch))")
        }
        if metadata.state.isPreparing {
            guard try await complete(&metadata) else {
                throw TransactionRefusal(.concurrentTransactions, "the last transaction of '\(transactionalId)' is still being completed")
            }
        }
        if metadata.state == .ongoing {
            try await abortFencing(&metadata, reason: "a new producer with the same transactional id started")
        }
        if metadata.producerEpoch >= Int16.max - 1 {
            metadata.producerId = try await allocateProducerId()
            metadata.producerEpoch = 0
        } else {
            metadata.producerEpoch += 1
        }
        metadata.timeoutMs = timeoutMs
        metadata.clearTransaction(state: .empty, now: now)
        try await persist(metadata)
        return (metadata.producerId, metadata.producerEpoch)
    }

    /// AddPartitionsToTxn: the partitions join the transaction (which begins
    /// if none is in progress). Returns an error code per partition: unknown
    /// partitions get UNKNOWN_TOPIC_OR_PARTITION and the others
    /// OPERATION_NOT_ATTEMPTED, as Kafka answers.
    func addPartitions(
        transactionalId: String, producerId: Int64, epoch: Int16, partitions: [TopicPartition], fencedCode: KafkaErrorCode
    ) async throws(TransactionRefusal) -> [TopicPartition: KafkaErrorCode] {
        var metadata = try current(transactionalId, producerId: producerId, epoch: epoch, fencedCode: fencedCode)
        let unknown = Set(partitions.filter { topics.partition(topic: $0.topic, index: $0.partition) == nil })
        if !unknown.isEmpty {
            return Dictionary(partitions.map { ($0, unknown.contains($0) ? KafkaErrorCode.unknownTopicOrPartition : .operationNotAttempted) },
                              uniquingKeysWith: { first, _ in first })
        }
        try claim(transactionalId)
        defer { busy.remove(transactionalId) }
        if metadata.state != .ongoing || !Set(partitions).isSubset(of: metadata.partitions) {
            begin(&metadata)
            metadata.partitions.formUnion(partitions)
            try await persist(metadata)
        }
        return Dictionary(partitions.map { ($0, KafkaErrorCode.none) }, uniquingKeysWith: { first, _ in first })
    }

    /// AddOffsetsToTxn: the group's offsets may be sent to the transaction.
    func addOffsets(transactionalId: String, producerId: Int64, epoch: Int16, group: String, fencedCode: KafkaErrorCode) async throws(TransactionRefusal) {
        guard !group.isEmpty, group.utf8.count <= Self.maximumNameBytes else {
            throw TransactionRefusal(.invalidGroupId, "a group id must have 1 to \(Self.maximumNameBytes) bytes")
        }
        var metadata = try current(transactionalId, producerId: producerId, epoch: epoch, fencedCode: fencedCode)
        try claim(transactionalId)
        defer { busy.remove(transactionalId) }
        if metadata.state == .ongoing && metadata.groups.contains(group) { return }
        begin(&metadata)
        metadata.groups.insert(group)
        try await persist(metadata)
    }

    /// TxnOffsetCommit: offsets of a group added with AddOffsetsToTxn, kept
    /// pending until the transaction commits (dropped if it aborts).
    func commitOffsets(
        transactionalId: String, producerId: Int64, epoch: Int16, group: String, offsets: [TopicPartition: OffsetAndMetadata],
        fencedCode: KafkaErrorCode
    ) async throws(TransactionRefusal) {
        var metadata = try current(transactionalId, producerId: producerId, epoch: epoch, fencedCode: fencedCode)
        guard metadata.state == .ongoing, metadata.groups.contains(group) else {
            throw TransactionRefusal(.invalidTxnState, "group '\(group)' was not added to the transaction of '\(transactionalId)' (AddOffsetsToTxn comes first)")
        }
        try claim(transactionalId)
        defer { busy.remove(transactionalId) }
        metadata.pendingOffsets[group, default: [:]].merge(offsets) { _, new in new }
        metadata.lastUpdateTimestamp = Date.nowMilliseconds
        try await persist(metadata)
    }

    /// EndTxn: commits or aborts the transaction in progress. A retry of the
    /// end that completed succeeds again; an end of the other kind, or with
    /// no transaction, is INVALID_TXN_STATE.
    func endTransaction(
        transactionalId: String, producerId: Int64, epoch: Int16, commit: Bool, fencedCode: KafkaErrorCode
    ) async throws(TransactionRefusal) {
        var metadata = try current(transactionalId, producerId: producerId, epoch: epoch, fencedCode: fencedCode)
        let what = commit ? "commit" : "abort"
        switch metadata.state {
        case .completeCommit where commit, .completeAbort where !commit:
            return
        case .prepareCommit where commit, .prepareAbort where !commit:
            throw TransactionRefusal(.concurrentTransactions, "the \(what) of '\(transactionalId)' is still being completed")
        case .ongoing:
            break
        default:
            throw TransactionRefusal(.invalidTxnState, "cannot \(what): the transaction of '\(transactionalId)' is \(metadata.state.kafkaName)")
        }
        try claim(transactionalId)
        ending.insert(transactionalId)
        defer {
            busy.remove(transactionalId)
            ending.remove(transactionalId)
        }
        metadata.state = commit ? .prepareCommit : .prepareAbort
        metadata.lastUpdateTimestamp = Date.nowMilliseconds
        try await persist(metadata)
        // The decision is durable: the end succeeds even if the markers must wait for a retry.
        _ = try await complete(&metadata)
    }

    // MARK: Queries

    /// The producer id and epoch that may write `partition` in the
    /// transaction of `transactionalId`: refused with INVALID_TXN_STATE when
    /// no transaction is in progress or the partition was not added to it
    /// (AddPartitionsToTxn comes first), so that no write lands outside a
    /// transaction the coordinator will end.
    func writer(transactionalId: String, partition: TopicPartition) throws(TransactionRefusal) -> TransactionWriter {
        guard let metadata = transactions[transactionalId] else {
            throw TransactionRefusal(.invalidProducerIdMapping, "transactional id '\(transactionalId)' is unknown: InitProducerId comes first")
        }
        guard metadata.state == .ongoing, metadata.partitions.contains(partition), !ending.contains(transactionalId) else {
            throw TransactionRefusal(.invalidTxnState, "\(partition) is not in a transaction of '\(transactionalId)' in progress (AddPartitionsToTxn comes first)")
        }
        return TransactionWriter(producerId: metadata.producerId, epoch: metadata.producerEpoch)
    }

    /// The partitions of `group` with offsets sent in a transaction not yet ended (for OffsetFetch's require_stable).
    func pendingOffsetPartitions(group: String) -> Set<TopicPartition> {
        var partitions: Set<TopicPartition> = []
        for metadata in transactions.values {
            if let pending = metadata.pendingOffsets[group] { partitions.formUnion(pending.keys) }
        }
        return partitions
    }

    /// The metadata of `transactionalId`, if known.
    func describe(_ transactionalId: String) -> TransactionMetadata? {
        transactions[transactionalId]
    }

    /// Every known transactional id's metadata.
    var all: [TransactionMetadata] {
        transactions.values.sorted { $0.transactionalId < $1.transactionalId }
    }

    // MARK: Background

    /// Every `transaction.abort.timed.out.transaction.cleanup.interval.ms`:
    /// completes ends whose markers could not all be written, aborts
    /// transactions past their timeout (fencing their producer with a new
    /// epoch), and forgets ids idle past `transactional.id.expiration.ms`.
    func run() async {
        await maintain()
        await repeatedly(every: configuration.abortTimedOutIntervalMs) { await self.maintain() }
    }

    /// At start, before any request is served: ends every transaction a partition holds open that the
    /// coordinator does not know as open there (its marker was lost with
    /// unflushed data in a power loss, or a write landed after its end):
    /// with a commit marker if the producer's last transaction, at that
    /// epoch, committed, else with an abort marker, so that no partition's
    /// last stable offset stays behind forever. Ends still being decided are
    /// left to `maintain`.
    func repairHangingTransactions() async {
        let known = transactions.values.map { ($0.producerId, $0) }
        let byProducer = Dictionary(known, uniquingKeysWith: { first, second in first.lastUpdateTimestamp >= second.lastUpdateTimestamp ? first : second })
        let (topics, logger) = (self.topics, self.logger)
        do {
            let repaired = try await io.run { () -> Int in
                var repaired = 0
                let now = Date.nowMilliseconds
                for topic in topics.allTopics {
                    for (index, log) in topic.partitions.enumerated() {
                        for producer in log.producers where producer.currentTxnStartOffset >= 0 {
                            let partition = TopicPartition(topic.name, Int32(index))
                            let metadata = byProducer[producer.producerId]
                            if let metadata, metadata.producerEpoch == producer.epoch,
                               metadata.state.isPreparing || (metadata.state == .ongoing && metadata.partitions.contains(partition)) {
                                continue
                            }
                            let commit = metadata?.state == .completeCommit && metadata?.producerEpoch == producer.epoch
                            logger.warning("ending a transaction the coordinator does not know as open", metadata: [
                                "partition": "\(partition)", "producer-id": "\(producer.producerId)", "epoch": "\(producer.epoch)",
                                "first-offset": "\(producer.currentTxnStartOffset)", "marker": "\(commit ? "commit" : "abort")",
                            ])
                            try log.appendMarker(ControlRecord(kind: commit ? .commit : .abort), producerId: producer.producerId,
                                                 producerEpoch: producer.epoch, now: now)
                            repaired += 1
                        }
                    }
                }
                return repaired
            }
            if repaired > 0 { appends.notify() }
        } catch {
            logger.error("could not end the transactions partitions hold open; the last stable offset of those partitions stays behind",
                         metadata: ["error": "\(error)"])
        }
    }

    func maintain() async {
        let now = Date.nowMilliseconds
        for id in transactions.keys.sorted() where !busy.contains(id) {
            guard var metadata = transactions[id] else { continue }
            busy.insert(id)
            defer { busy.remove(id) }
            do throws(TransactionRefusal) {
                if metadata.state.isPreparing {
                    _ = try await complete(&metadata)
                } else if metadata.hasTimedOut(now: now) {
                    try await abortFencing(&metadata, reason: "it passed its transaction.timeout.ms (\(metadata.timeoutMs) ms)")
                } else if metadata.state != .ongoing, now - metadata.lastUpdateTimestamp > configuration.idExpirationMs {
                    try await remove(id)
                }
            } catch {
                logger.warning("transaction maintenance failed; it is retried", metadata: ["transactional-id": "\(id)", "error": "\(error.message)"])
            }
        }
    }

    // MARK: Steps

    /// The metadata of `transactionalId` if the producer holds its current id and epoch.
    private func current(
        _ transactionalId: String, producerId: Int64, epoch: Int16, fencedCode: KafkaErrorCode
    ) throws(TransactionRefusal) -> TransactionMetadata {
        guard let metadata = transactions[transactionalId] else {
            throw TransactionRefusal(.invalidProducerIdMapping, "transactional id '\(transactionalId)' is unknown: InitProducerId comes first")
        }
        guard metadata.producerId == producerId else {
            throw TransactionRefusal(.invalidProducerIdMapping, "producer id \(producerId) is not the one of '\(transactionalId)' (\(metadata.producerId))")
        }
        guard metadata.producerEpoch == epoch else {
            throw TransactionRefusal(fencedCode, "producer \(producerId) epoch \(epoch) of '\(transactionalId)' was fenced by epoch \(metadata.producerEpoch)")
        }
        if busy.contains(transactionalId) || metadata.state.isPreparing {
            throw TransactionRefusal(.concurrentTransactions, "another request of '\(transactionalId)' is in progress")
        }
        return metadata
    }

    private func claim(_ transactionalId: String) throws(TransactionRefusal) {
        guard busy.insert(transactionalId).inserted else {
            throw TransactionRefusal(.concurrentTransactions, "another request of '\(transactionalId)' is in progress")
        }
    }

    /// Starts a transaction unless one is in progress.
    private func begin(_ metadata: inout TransactionMetadata) {
        let now = Date.nowMilliseconds
        if metadata.state != .ongoing {
            metadata.clearTransaction(state: .ongoing, now: now)
            metadata.startTimestamp = now
        }
        metadata.lastUpdateTimestamp = now
    }

    /// Aborts the transaction in progress with the producer's epoch bumped,
    /// so that the producer (or a zombie of it) can no longer write to it.
    private func abortFencing(_ metadata: inout TransactionMetadata, reason: String) async throws(TransactionRefusal) {
        logger.info("aborting a transaction", metadata: [
            "transactional-id": "\(metadata.transactionalId)", "producer-id": "\(metadata.producerId)", "reason": "\(reason)",
        ])
        if metadata.producerEpoch < Int16.max - 1 { metadata.producerEpoch += 1 }
        metadata.state = .prepareAbort
        metadata.lastUpdateTimestamp = Date.nowMilliseconds
        try await persist(metadata)
        guard try await complete(&metadata) else {
            throw TransactionRefusal(.concurrentTransactions, "the abort of '\(metadata.transactionalId)' could not write all its markers yet")
        }
    }

    /// Carries out a decided end: markers to every partition (kept as
    /// durably as the partition's data: its `flush.messages` and `flush.ms`,
    /// as Kafka does; `repairHangingTransactions` ends a transaction whose
    /// marker a power loss took), a commit's group offsets, then the
    /// completion. Returns false (the decision stays, to be retried) when a
    /// step failed.
    private func complete(_ metadata: inout TransactionMetadata) async throws(TransactionRefusal) -> Bool {
        let commit = metadata.state == .prepareCommit
        let marker = ControlRecord(kind: commit ? .commit : .abort)
        let logs = metadata.partitions.sorted().compactMap { partition in
            topics.partition(topic: partition.topic, index: partition.partition).map { (partition, $0) }
        }
        let (producerId, epoch, pending, offsets, logger) = (metadata.producerId, metadata.producerEpoch, metadata.pendingOffsets, self.offsets, self.logger)
        do {
            try await io.run {
                let now = Date.nowMilliseconds
                for (partition, log) in logs {
                    do {
                        try log.appendMarker(marker, producerId: producerId, producerEpoch: epoch, now: now)
                    } catch let error as LogError where error.kind == .invalidProducerEpoch {
                        logger.warning("a transaction marker was refused: the partition knows a newer epoch", metadata: [
                            "partition": "\(partition)", "producer-id": "\(producerId)", "error": "\(error)",
                        ])
                    }
                }
                if commit {
                    for (group, groupOffsets) in pending.sorted(by: { $0.key < $1.key }) {
                        try offsets.commit(group: group, offsets: groupOffsets, now: now)
                    }
                }
            }
        } catch {
            logger.error("could not complete a transaction; it is retried", metadata: [
                "transactional-id": "\(metadata.transactionalId)", "commit": "\(commit)", "error": "\(error)",
            ])
            transactions[metadata.transactionalId] = metadata
            return false
        }
        appends.notify()
        metadata.clearTransaction(state: commit ? .completeCommit : .completeAbort, now: Date.nowMilliseconds)
        try await persist(metadata)
        return true
    }

    private func persist(_ metadata: TransactionMetadata) async throws(TransactionRefusal) {
        try await write(.metadata(metadata))
        transactions[metadata.transactionalId] = metadata
    }

    private func remove(_ id: String) async throws(TransactionRefusal) {
        try await write(.removed(id))
        transactions[id] = nil
        logger.info("forgot an idle transactional id", metadata: ["transactional-id": "\(id)"])
    }

    /// Writes `record` to the state log; a failure is COORDINATOR_NOT_AVAILABLE, which clients retry.
    private func write(_ record: TransactionLogFormat.Record) async throws(TransactionRefusal) {
        do {
            try await io.run { [store] in try store.write(record) }
        } catch {
            logger.error("could not write the transaction state", metadata: ["transactional-id": "\(record.transactionalId)", "error": "\(error)"])
            throw TransactionRefusal(.coordinatorNotAvailable, "the transaction state could not be written: \(error)")
        }
    }

    private func allocateProducerId() async throws(TransactionRefusal) -> Int64 {
        do {
            return try await io.run { [producerIds] in try producerIds.allocate() }
        } catch {
            throw TransactionRefusal(.coordinatorNotAvailable, "no producer id could be reserved: \(error)")
        }
    }
}
