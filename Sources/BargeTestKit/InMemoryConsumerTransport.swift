import Barge
import KafkaValues
import NIOConcurrencyHelpers

/// A ``ConsumerTransport`` reading an ``InMemoryKafka`` as a member of a
/// consumer group: a subscription is assigned every partition of its topics
/// (reported to the rebalance hook before the first record), starting at
/// the group's committed offset, or the beginning without one.
public final class InMemoryConsumerTransport: ConsumerTransport {
    private struct State {
        /// The next offset to read, per assigned partition.
        var positions: [KafkaTopicPartition: Int64] = [:]
        /// Topics subscribed to whose assignment the hook has not seen yet.
        var pendingSubscription: [String]?
        var onRebalance: (@Sendable (KafkaRebalanceEvent) async -> Void)?
        /// Where the round-robin over partitions starts next.
        var nextPartition = 0
        var isClosed = false
    }

    private let kafka: InMemoryKafka
    /// The consumer group whose offsets this consumer reads and commits.
    public let group: String
    private let state = NIOLockedValueBox(State())

    init(kafka: InMemoryKafka, group: String) {
        self.kafka = kafka
        self.group = group
    }

    public func subscribe(topics: [String], onRebalance: @escaping @Sendable (KafkaRebalanceEvent) async -> Void) throws {
        try state.withLockedValue { state in
            guard !state.isClosed else { throw InMemoryKafkaError.closed }
            state.pendingSubscription = topics
            state.onRebalance = onRebalance
        }
    }

    public func assign(_ offsets: [KafkaPartitionOffset]) async throws {
        let positions = Dictionary(offsets.map { ($0.topicPartition, start(of: $0.topicPartition, at: $0.offset)) }, uniquingKeysWith: { $1 })
        state.withLockedValue { $0.positions = positions }
    }

    public func assignment() async throws -> [KafkaTopicPartition] {
        state.withLockedValue { Array($0.positions.keys) }
    }

    public func nextRecord(timeout: Duration) async throws -> ConsumerPoll {
        try await takeSubscription()
        let deadline = ContinuousClock.now + timeout
        while true {
            let appends = kafka.appendCount
            let (closed, record) = state.withLockedValue { state -> (Bool, KafkaConsumerMessage?) in
                guard !state.isClosed else { return (true, nil) }
                let partitions = state.positions.keys.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
                for step in partitions.indices {
                    let partition = partitions[(state.nextPartition + step) % partitions.count]
                    guard let position = state.positions[partition], let record = kafka.record(of: partition, at: position) else { continue }
                    state.positions[partition] = position + 1
                    state.nextPartition = (state.nextPartition + step + 1) % partitions.count
                    return (false, record)
                }
                return (false, nil)
            }
            if closed { return .closed }
            if let record { return .record(record) }
            let left = deadline - .now
            guard left > .zero else { return .timedOut }
            await kafka.waitForAppend(beyond: appends, timeout: left)
        }
    }

    public func committed(_ partitions: [KafkaTopicPartition]) async throws -> [KafkaPartitionOffset] {
        partitions.compactMap { kafka.committed(group: group, $0) }
    }

    public func commit(_ offsets: [KafkaPartitionOffset]) async throws {
        try commitAsync(offsets)
    }

    public func commitAsync(_ offsets: [KafkaPartitionOffset]) throws {
        guard !state.withLockedValue(\.isClosed) else { throw InMemoryKafkaError.closed }
        kafka.commit(offsets, group: group)
    }

    /// Revokes the assignment of a subscription (the hook sees it), then closes.
    public func close() async {
        let (hook, partitions) = state.withLockedValue { state in
            (state.onRebalance, Array(state.positions.keys))
        }
        if let hook, !partitions.isEmpty {
            await hook(KafkaRebalanceEvent(kind: .revoked, partitions: partitions, isCooperative: false))
        }
        state.withLockedValue {
            $0.isClosed = true
            $0.positions = [:]
        }
    }

    /// Assigns a pending subscription's partitions and tells the hook, before the first record.
    private func takeSubscription() async throws {
        let (topics, hook) = state.withLockedValue { state in
            defer { state.pendingSubscription = nil }
            return (state.pendingSubscription, state.onRebalance)
        }
        guard let topics else { return }
        let partitions = kafka.partitions(of: topics)
        let positions = partitions.map { ($0, start(of: $0, at: kafka.committed(group: group, $0)?.offset ?? KafkaOffset.beginning)) }
        state.withLockedValue { $0.positions = Dictionary(positions, uniquingKeysWith: { $1 }) }
        await hook?(KafkaRebalanceEvent(kind: .assigned, partitions: partitions, isCooperative: false))
    }

    /// The first offset to read of `partition` for a requested (possibly logical) `offset`.
    private func start(of partition: KafkaTopicPartition, at offset: Int64) -> Int64 {
        switch offset {
        case KafkaOffset.end: kafka.endOffset(of: partition)
        case KafkaOffset.stored: kafka.committed(group: group, partition)?.offset ?? 0
        case ..<0: 0
        default: offset
        }
    }
}
