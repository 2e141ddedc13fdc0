/// Consume-transform-produce exactly once: records read by a group member
/// are transformed, and the output with the consumer's new position goes
/// in one transaction, so that each input record's output is committed once
/// and only once, across crashes and restarts (the bridge uses it).
///
/// ```swift
/// let pipeline = KafkaTransactionalPipeline(consumer: consumer, producer: producer)
/// try await pipeline.run { record in
///     [KafkaProducerMessage(topic: "out", key: record.key, value: transform(record.value))]
/// }
/// ```
///
/// The consumer needs a group id and must not commit offsets itself (turn
/// `enableAutoCommit` off); read_committed is its default, so it never
/// takes records of aborted transactions. The producer needs a
/// `transactionalID`; use one per input partition set that stays the same
/// across restarts, so that a restarted pipeline fences its predecessor.
///
/// A transaction ends after `maximumRecords` records or `maximumDuration`,
/// whichever comes first, or once no record came for `maximumIdle` after
/// its last one (so that the records of a burst commit without waiting out
/// the duration). When it must be aborted (an abortable error, or
/// `transform` throwing ``KafkaTransactionalPipeline/Retry``), the consumer
/// goes back to the first record of that transaction and the records are
/// processed again; any other error of `transform` aborts and is rethrown,
/// as are fatal errors (a newer pipeline with the same id took over).
public struct KafkaTransactionalPipeline: Sendable {
    /// Thrown by a transform to abort the transaction and process its records again.
    public struct Retry: Error, Sendable {
        public init() {}
    }

    public let consumer: KafkaConsumer
    public let producer: KafkaProducer
    /// The most records per transaction.
    public var maximumRecords: Int
    /// The longest a transaction collects records.
    public var maximumDuration: Duration
    /// How long an open transaction waits for a further record before it commits.
    public var maximumIdle: Duration
    /// Told of every transaction aborted to be processed again, with the
    /// error that aborted it (so that a caller can log it, count it and
    /// pause before the next attempt).
    public var onRetry: (@Sendable (any Error) -> Void)?
    /// Runs before a transaction's offsets are sent and it commits: a
    /// transform that sends records of its own finishes them here.
    public var beforeCommit: (@Sendable () async throws -> Void)?
    /// Runs when a transaction fails, before it is aborted: a transform that
    /// started work of its own stops it here.
    public var onFailure: (@Sendable () async -> Void)?

    public init(
        consumer: KafkaConsumer, producer: KafkaProducer, maximumRecords: Int = 500, maximumDuration: Duration = .seconds(1),
        maximumIdle: Duration = .milliseconds(100)
    ) {
        self.consumer = consumer
        self.producer = producer
        self.maximumRecords = max(1, maximumRecords)
        self.maximumDuration = maximumDuration
        self.maximumIdle = maximumIdle
    }

    /// Runs until the task is cancelled (the open transaction is then
    /// aborted) or an error that is not retriable.
    public func run(_ transform: @Sendable (KafkaConsumerMessage) async throws -> [KafkaProducerMessage]) async throws {
        try await producer.initTransactions()
        while !Task.isCancelled {
            try await runOneTransaction(transform)
        }
    }

    /// Processes one transaction's worth of records (none if none arrive in
    /// `maximumDuration`); returns the number committed.
    @discardableResult
    public func runOneTransaction(_ transform: @Sendable (KafkaConsumerMessage) async throws -> [KafkaProducerMessage]) async throws -> Int {
        try await runOneTransaction(records: { record in try await transform(try record.message()) })
    }

    /// ``runOneTransaction(_:)`` for records whose values stay in
    /// librdkafka's buffer (``KafkaConsumerRecord``): a transform that streams
    /// large values elsewhere holds each only once.
    @discardableResult
    public func runOneTransaction(records transform: @Sendable (KafkaConsumerRecord) async throws -> [KafkaProducerMessage]) async throws -> Int {
        let deadline = ContinuousClock.now + maximumDuration
        // A consumer that has not joined its group yet has no generation to
        // send offsets under: its first transaction would be refused.
        while consumer.isAwaitingFirstAssignment {
            guard ContinuousClock.now < deadline else { return 0 }
            try await Task.sleep(for: .milliseconds(10))
        }
        // Who this member is before the first record is read: offsets sent
        // under it are refused if a rebalance hands its partitions on meanwhile.
        let membership = try consumer.requireGroupMetadata()
        var firstOffsets: [KafkaTopicPartition: Int64] = [:]
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        var taken = 0
        var began = false
        do {
            while taken < maximumRecords, ContinuousClock.now < deadline, !Task.isCancelled {
                let wait = deadline - ContinuousClock.now
                guard let record = try await consumer.nextRecord(timeout: began ? min(wait, maximumIdle) : wait) else { break }
                if !began {
                    try producer.beginTransaction()
                    began = true
                }
                if firstOffsets[record.topicPartition] == nil { firstOffsets[record.topicPartition] = record.offset }
                nextOffsets[record.topicPartition] = record.offset + 1
                for output in try await transform(record) { try await producer.enqueue(output) }
                taken += 1
            }
            guard began else { return 0 }
            if Task.isCancelled { throw CancellationError() }
            try await beforeCommit?()
            try await producer.sendOffsetsToTransaction(
                nextOffsets.map { KafkaPartitionOffset($0.key, offset: $0.value) }, groupMetadata: membership)
            try await producer.commitTransaction()
            return taken
        } catch {
            await onFailure?()
            guard began else { throw error }
            if let failure = error as? KafkaClientError, failure.isFatal { throw error }
            try await producer.abortTransaction()
            try await consumer.seek(firstOffsets.map { KafkaPartitionOffset($0.key, offset: $0.value) })
            let retry = error is Retry || (error as? KafkaClientError)?.requiresAbort == true
            if !retry { throw error }
            onRetry?(error)
            return 0
        }
    }
}
