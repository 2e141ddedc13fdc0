import CRdKafka
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// A Kafka consumer over librdkafka, for a group (``subscribe(topics:)``) or
/// manually assigned partitions (``assign(_:)``).
///
/// ```swift
/// let consumer = try KafkaConsumer(
///     configuration: .init(bootstrapServers: ["127.0.0.1:9092"], groupID: "thumbnails"),
///     rebalanceHandler: { event, consumer in if event.kind == .revoked { try? await consumer.commit() } }
/// )
/// try consumer.subscribe(topics: ["images"])
/// for try await message in consumer.messages { ... }
/// ```
///
/// A thread of the consumer's own polls librdkafka into a bounded buffer;
/// when the buffer is full, fetching pauses while the thread keeps serving
/// rebalances, so a slow application neither grows memory nor drops out of
/// its group. The consumer is a ServiceLifecycle `Service`: `run()` returns
/// after a graceful shutdown closed it.
public final class KafkaConsumer: Sendable, Service {
    /// Called on rebalances with the event and this consumer; see
    /// ``KafkaRebalanceEvent``. It runs to completion before the consumer
    /// polls again, so it may commit (and must not wait for messages of this
    /// consumer).
    public typealias RebalanceHandler = @Sendable (KafkaRebalanceEvent, KafkaConsumer) async -> Void

    private let handle: RDKafkaHandle
    private let core: ConsumerCore
    private let pollThread: LoopingThread
    private let closeRequested = NIOLockedFlag()
    private let subscribed = NIOLockedFlag()
    private let automaticOffsetStore: Bool

    /// The consumed messages. Iterating stores each message's offset once the
    /// next one is asked for (unless ``KafkaConsumerConfiguration/automaticOffsetStore``
    /// is off). A consumer error is thrown from `next()`; calling `next()`
    /// again continues. Iteration ends when the consumer is closed or the
    /// iterating task is cancelled (the consumer stays usable).
    public var messages: KafkaConsumerMessages {
        KafkaConsumerMessages(consumer: self)
    }

    /// Creates a consumer. Throws `invalidConfiguration` with librdkafka's
    /// message if a setting is rejected.
    public init(
        configuration: KafkaConsumerConfiguration,
        rebalanceHandler: RebalanceHandler? = nil,
        logger: Logger = Logger(label: "barge.rdkafka.consumer")
    ) throws {
        guard configuration.groupID != nil else {
            throw KafkaClientError(kind: .invalidConfiguration, message: "group.id is required: librdkafka's consumer needs a group, also for assigned partitions")
        }
        let owner = ConsumerReference()
        var hook: (@Sendable (KafkaRebalanceEvent) async -> Void)?
        if let rebalanceHandler {
            hook = { event in
                if let consumer = owner.consumer { await rebalanceHandler(event, consumer) }
            }
        }
        let core = ConsumerCore(
            maximumBufferedMessages: configuration.maximumBufferedMessages,
            maximumBufferedBytes: configuration.maximumBufferedBytes,
            queuedMaximumBytes: configuration.queuedMaxMessagesKBytes << 10,
            hook: hook,
            logger: logger
        )
        let context = RDKafkaCallbackContext(
            logger: logger,
            connection: configuration.connection
        ) { handle, code, list in
            core.rebalance(handle, code, list)
        }
        let handle = try RDKafkaHandle(type: RD_KAFKA_CONSUMER, properties: configuration.properties, context: context) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
            rd_kafka_conf_set_offset_commit_cb(conf, offsetCommitCallback)
        }
        rd_kafka_poll_set_consumer(handle.pointer)
        core.attach(handle.pointer)
        self.handle = handle
        self.core = core
        self.automaticOffsetStore = configuration.automaticOffsetStore
        // librdkafka before 2.3.0 aborts when destroying a cooperative-sticky
        // consumer that never got an assignment (librdkafka issue 4312).
        let destroyAborts = configuration.assignmentStrategies.contains(.cooperativeSticky)
            && LibrdkafkaVersion.loaded < LibrdkafkaVersion.cooperativeStickyDestroyFixed
        self.pollThread = LoopingThread(
            name: "rdk-consumer",
            iteration: { core.iterate(handle.pointer) },
            finally: {
                core.shutDown(handle.pointer)
                if !core.waitForMessagesReleased(timeout: .seconds(30)) {
                    logger.warning("record values were still held 30 s after the consumer closed; leaking librdkafka's client rather than destroying buffers in use")
                    handle.abandon()
                } else if destroyAborts && !core.wasEverAssigned {
                    logger.warning("librdkafka \(LibrdkafkaVersion.loadedString) would abort destroying a cooperative-sticky consumer closed before its first assignment; leaking it instead (fixed in librdkafka 2.3.0)")
                    handle.abandon()
                } else {
                    handle.destroy()
                }
            }
        )
        owner.consumer = self
    }

    deinit {
        requestClose()
    }

    /// librdkafka's client, for the transaction calls of a producer.
    var rawHandle: OpaquePointer { handle.pointer }

    // MARK: Subscription and assignment

    /// Joins the group for `topics` (a name starting with `^` is a regular
    /// expression). Requires a group id.
    public func subscribe(topics: [String]) throws {
        try checkOpen()
        let list = RDKafkaTopicPartitionList.make(topics.map { KafkaTopicPartition(topic: $0, partition: RD_KAFKA_PARTITION_UA) })
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try check(rd_kafka_subscribe(handle.pointer, list), "subscribe to \(topics)")
        _ = subscribed.setOnce()
    }

    /// Consumes exactly these partitions, starting at each offset (an
    /// absolute offset, or ``KafkaOffset/beginning``, ``KafkaOffset/end``,
    /// ``KafkaOffset/stored``); replaces any previous assignment.
    public func assign(_ offsets: [KafkaPartitionOffset]) async throws {
        try await learnLeaders(of: Set(offsets.map(\.topicPartition.topic)))
        try await core.onPollThread { [core] handle in
            core.buffer.remove(partitions: Set(core.assignment(handle)))
            let list = RDKafkaTopicPartitionList.make(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try check(rd_kafka_assign(handle, list), "assign")
        }
    }

    /// Asks for the topics' metadata, so that librdkafka knows their leaders
    /// when the assignment starts: a fresh librdkafka 2.0 consumer assigned
    /// a partition with unknown leader waits up to 700 ms before its first
    /// fetch. A failure only means that wait may happen.
    private func learnLeaders(of topics: Set<String>) async throws {
        let handle = self.handle
        try await DedicatedThread.run(name: "rdk-metadata") {
            for topic in topics {
                guard let topicHandle = rd_kafka_topic_new(handle.pointer, topic, nil) else { continue }
                defer { rd_kafka_topic_destroy(topicHandle) }
                var metadata: UnsafePointer<rd_kafka_metadata>?
                if rd_kafka_metadata(handle.pointer, 0, topicHandle, &metadata, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                    rd_kafka_metadata_destroy(metadata)
                }
            }
        }
    }

    /// The partitions currently assigned.
    public func assignment() async throws -> [KafkaTopicPartition] {
        try await core.onPollThread { [core] handle in core.assignment(handle) }
    }

    // MARK: Offsets

    /// Stores `message`'s offset + 1 for the next commit (automatic or explicit).
    public func storeOffset(of message: KafkaConsumerMessage) throws {
        try storeOffsets([KafkaPartitionOffset(message.topicPartition, offset: message.offset + 1)])
    }

    /// Stores offsets (the next offsets to consume) for the next commit.
    public func storeOffsets(_ offsets: [KafkaPartitionOffset]) throws {
        try checkOpen()
        let list = RDKafkaTopicPartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        try check(rd_kafka_offsets_store(handle.pointer, list), "store offsets")
        if let error = RDKafkaTopicPartitionList.firstError(in: list) { throw error }
    }

    /// Commits `offsets` (each the next offset to consume, with optional
    /// metadata) or, when `nil`, the stored offsets; returns once the
    /// coordinator acknowledged them. Nothing stored is not an error.
    public func commit(_ offsets: [KafkaPartitionOffset]? = nil) async throws {
        try checkOpen()
        let handle = self.handle
        try await DedicatedThread.run(name: "rdk-commit") {
            let list = offsets.map(RDKafkaTopicPartitionList.make)
            defer { list.map { rd_kafka_topic_partition_list_destroy($0) } }
            let result = rd_kafka_commit(handle.pointer, list, 0)
            if result == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
            try check(result, "commit")
            if let list, let error = RDKafkaTopicPartitionList.firstError(in: list) { throw error }
        }
    }

    /// Starts committing `offsets` (or the stored offsets) and returns at
    /// once; a failure is logged.
    public func commitAsync(_ offsets: [KafkaPartitionOffset]? = nil) throws {
        try checkOpen()
        let list = offsets.map(RDKafkaTopicPartitionList.make)
        defer { list.map { rd_kafka_topic_partition_list_destroy($0) } }
        let result = rd_kafka_commit(handle.pointer, list, 1)
        if result == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        try check(result, "commit")
    }

    /// The group's committed offsets and metadata for `partitions`
    /// (``KafkaOffset/invalid`` where nothing is committed).
    public func committed(_ partitions: [KafkaTopicPartition], timeout: Duration = .seconds(10)) async throws -> [KafkaPartitionOffset] {
        let handle = self.handle
        return try await DedicatedThread.run(name: "rdk-committed") {
            let list = RDKafkaTopicPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try check(rd_kafka_committed(handle.pointer, list, Int32(clamping: timeout.milliseconds)), "committed offsets")
            if let error = RDKafkaTopicPartitionList.firstError(in: list) { throw error }
            return RDKafkaTopicPartitionList.offsets(of: list)
        }
    }

    /// The offset of the next message the application will get from each
    /// partition (``KafkaOffset/invalid`` before the first fetch).
    public func position(_ partitions: [KafkaTopicPartition]) async throws -> [KafkaPartitionOffset] {
        try await core.onPollThread { [core] handle in
            let list = RDKafkaTopicPartitionList.make(partitions)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            try check(rd_kafka_position(handle, list), "position")
            return RDKafkaTopicPartitionList.offsets(of: list).map { position in
                guard let buffered = core.buffer.firstOffset(of: position.topicPartition) else { return position }
                return KafkaPartitionOffset(position.topicPartition, offset: buffered)
            }
        }
    }

    /// Asks the partition's leader for its oldest and next offsets.
    public func watermarks(of partition: KafkaTopicPartition, timeout: Duration = .seconds(10)) async throws -> KafkaWatermarks {
        let handle = self.handle
        return try await DedicatedThread.run(name: "rdk-watermarks") {
            var low: Int64 = 0
            var high: Int64 = 0
            try check(
                rd_kafka_query_watermark_offsets(handle.pointer, partition.topic, partition.partition, &low, &high, Int32(clamping: timeout.milliseconds)),
                "watermarks of \(partition)"
            )
            return KafkaWatermarks(low: low, high: high)
        }
    }

    // MARK: Seek, pause, resume

    /// Moves each partition to its offset; buffered messages of those
    /// partitions are dropped, so the next message of each is the one at its offset.
    public func seek(_ offsets: [KafkaPartitionOffset], timeout: Duration = .seconds(10)) async throws {
        try await core.onPollThread { [core] handle in
            core.buffer.remove(partitions: Set(offsets.map(\.topicPartition)))
            try Self.seek(offsets, handle: handle, timeout: timeout)
        }
    }

    /// Stops delivering messages of `partitions` until ``resume(_:)``;
    /// buffered ones are given back to librdkafka and come again after resuming.
    public func pause(_ partitions: [KafkaTopicPartition]) async throws {
        try await core.onPollThread { [core] handle in
            core.applicationPaused(partitions, true)
            core.setPaused(partitions, paused: true, handle: handle)
            let firstBuffered = core.buffer.remove(partitions: Set(partitions))
            try Self.seek(firstBuffered.map { KafkaPartitionOffset($0.key, offset: $0.value) }, handle: handle, timeout: .seconds(10))
        }
    }

    /// Delivers messages of `partitions` again.
    public func resume(_ partitions: [KafkaTopicPartition]) async throws {
        try await core.onPollThread { [core] handle in
            core.applicationPaused(partitions, false)
            core.setPaused(partitions.filter { !core.isPausedForBackPressure($0) }, paused: false, handle: handle)
        }
    }

    private static func seek(_ offsets: [KafkaPartitionOffset], handle: OpaquePointer, timeout: Duration) throws {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList.make(offsets)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        if let error = rd_kafka_seek_partitions(handle, list, Int32(clamping: timeout.milliseconds)) {
            throw KafkaClientError(consuming: error)
        }
        if let error = RDKafkaTopicPartitionList.firstError(in: list) { throw error }
    }

    /// Whether the consumer subscribed and its group has not given it an
    /// assignment yet: until then it has no generation to send offsets under.
    var isAwaitingFirstAssignment: Bool {
        subscribed.isSet && !core.wasEverAssigned
    }

    /// Whether closing began (the client is about to be destroyed).
    var isClosing: Bool { pollThread.isStopping }

    /// Throws `closed` once closing began; narrows, but does not close, the
    /// window in which a call can meet a client being destroyed.
    private func checkOpen() throws {
        if pollThread.isStopping { throw KafkaClientError.closed("consumer") }
    }

    // MARK: Lifecycle

    /// Runs until a graceful shutdown or cancellation, then closes the consumer.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await pollThread.waitUntilStopped()
            } onCancel: {
                requestClose()
            }
        } onGracefulShutdown: {
            self.requestClose()
        }
        await close()
    }

    /// Leaves the group (the rebalance hook sees the final revocation),
    /// closes and destroys the client, and ends the message sequence.
    public func close() async {
        requestClose()
        await pollThread.waitUntilStopped()
    }

    private func requestClose() {
        pollThread.requestStop()
        core.wakeUp()
    }

    // MARK: Reading

    /// The next message, waiting at most `timeout`: `nil` when none arrived
    /// in time. For readers that must also act on time (expiring state) and
    /// so cannot wait on ``messages`` forever. Never stores offsets. Throws
    /// the consumer's errors as ``messages`` does, `closed` once the consumer
    /// is closed, and `CancellationError` when the calling task is cancelled.
    public func nextMessage(timeout: Duration) async throws -> KafkaConsumerMessage? {
        try await nextPolled(timeout: timeout)?.converted()
    }

    /// The next record with its value left in librdkafka's buffer, waiting
    /// at most `timeout`: `nil` when none arrived in time. Throws as
    /// ``nextMessage(timeout:)`` does. The value's bytes count against the
    /// consumer's buffer until it is released (``KafkaRecordValue``), so
    /// holding it holds back fetching.
    public func nextRecord(timeout: Duration) async throws -> KafkaConsumerRecord? {
        try await nextPolled(timeout: timeout)?.record()
    }

    private func nextPolled(timeout: Duration) async throws -> PolledMessage? {
        switch await core.buffer.next(timeout: timeout) {
        case .entry(.message(let message)): return message
        case .entry(.error(let error)): throw error
        case .timedOut: return nil
        case .ended:
            try Task.checkCancellation()
            throw KafkaClientError.closed("consumer")
        }
    }

    /// The next message for the sequence; stores `previous`'s offset first.
    func next(after previous: KafkaConsumerMessage?) async throws -> KafkaConsumerMessage? {
        if automaticOffsetStore, let previous, !pollThread.isStopping {
            // The partition may have been revoked meanwhile; its offset then belongs to the new owner.
            try? storeOffset(of: previous)
        }
        switch await core.buffer.next() {
        case .message(let message): return message.converted()
        case .error(let error): throw error
        case nil: return nil
        }
    }
}

/// The messages of a ``KafkaConsumer``.
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> Iterator {
        Iterator(consumer: consumer)
    }

    /// Iterates the consumer's messages.
    public struct Iterator: AsyncIteratorProtocol {
        let consumer: KafkaConsumer
        var previous: KafkaConsumerMessage?

        public mutating func next() async throws -> KafkaConsumerMessage? {
            let message = try await consumer.next(after: previous)
            previous = message
            return message
        }
    }
}

/// A weak reference to a consumer, for its rebalance hook: the hook is made
/// before the consumer exists and must not keep it alive.
private final class ConsumerReference: Sendable {
    private struct Weak: Sendable {
        weak var consumer: KafkaConsumer?
    }

    private let box = NIOLockedValueBox(Weak())

    var consumer: KafkaConsumer? {
        get { box.withLockedValue { $0.consumer } }
        set { box.withLockedValue { $0.consumer = newValue } }
    }
}
