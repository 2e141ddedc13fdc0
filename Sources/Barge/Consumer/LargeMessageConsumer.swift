import Logging
import NIOConcurrencyHelpers
import RdKafka

/// Reads messages in Barge's wire format (docs/wire-format.md) and plain
/// records, and hands them to the application as ``BargeConsumerEvent``s:
/// chunks are put back together across interleaving messages and
/// producers, within a memory budget (spilling beyond it), verified before
/// they end, and failures (corrupt, missing or expired chunks, aborts) are
/// typed events, never silent.
///
/// Offsets: commits never pass the first record of a message not yet
/// handled, and carry which messages above that offset were handled, so
/// after a crash or restart each message is delivered exactly once as far
/// as commits go (see docs/large-messages.md). A message counts as handled once
/// the application asks for the next event, or calls ``commit()``.
///
/// ```swift
/// let consumer = try LargeMessageConsumer(configuration: .init(bootstrapServers: ["127.0.0.1:9092"], groupID: "archive"))
/// try consumer.subscribe(topics: ["videos"])
/// for try await event in consumer.events {
///     if case .message(let message) = event { try await message.write(to: "/data/\(message.info.fileName ?? "video")") }
/// }
/// ```
public final class LargeMessageConsumer: Sendable {
    private let consumer: KafkaConsumer
    private let engine: ReassemblyEngine
    private let logger: Logger

    /// Creates the consumer. Throws `KafkaClientError` for rejected Kafka
    /// settings (of the consumer, or of the dead-letter producer).
    public init(configuration: LargeMessageConsumerConfiguration, logger: Logger = Logger(label: "barge.consumer")) throws {
        var deadLetters: DeadLetterWriter?
        if case .deadLetter(let topic) = configuration.badRecords {
            deadLetters = try DeadLetterWriter(topic: topic, connection: configuration.consumer.connection, logger: logger)
        }
        var kafka = configuration.consumer
        kafka.enableAutoCommit = false
        kafka.automaticOffsetStore = false
        let engineSlot = NIOLockedValueBox<ReassemblyEngine?>(nil)
        consumer = try KafkaConsumer(configuration: kafka, rebalanceHandler: { event, _ in
            await engineSlot.withLockedValue { $0 }?.rebalanced(event)
        }, logger: logger)
        let engine = ReassemblyEngine(consumer: consumer, configuration: configuration, deadLetters: deadLetters, logger: logger)
        engineSlot.withLockedValue { $0 = engine }
        self.engine = engine
        self.logger = logger
    }

    /// Joins the consumer group for `topics`.
    public func subscribe(topics: [String]) throws {
        try consumer.subscribe(topics: topics)
    }

    /// Reads exactly these partitions from these offsets (messages whose
    /// first chunk lies before an offset are reported as started mid-message).
    public func assign(_ offsets: [KafkaPartitionOffset]) async throws {
        await engine.assignedExplicitly(Set(offsets.map(\.topicPartition)))
        try await consumer.assign(offsets)
    }

    /// The partitions this consumer reads now (for a group member, what the
    /// last rebalance gave it).
    public func assignment() async throws -> [KafkaTopicPartition] {
        try await consumer.assignment()
    }

    /// The events, in record order per partition. Asking for the next event
    /// counts the previous ones as handled. Ends when the consumer is closed.
    public var events: BargeConsumerEvents { BargeConsumerEvents(engine: engine) }

    /// Commits now, and waits for, the offsets of everything handed out so
    /// far (each partition's safe offset, with metadata naming what above
    /// it was handled).
    public func commit() async throws {
        try await engine.commit()
    }

    /// Payload bytes held in memory now, across all messages.
    public var memoryInUse: Int {
        get async { await engine.memoryInUse }
    }

    /// Payload bytes spilled to the temporary directory since creation.
    public var spilledBytes: Int64 {
        get async { await engine.spilledBytes }
    }

    /// Commits what was handled (not the event in the application's hands:
    /// it comes again), leaves the group and closes the Kafka consumer; the
    /// event sequence ends.
    public func close() async {
        do { try await engine.commit(acknowledging: false) } catch { logger.warning("final commit failed: \(error)") }
        await engine.markClosed()
        await consumer.close()
        await engine.deadLetters?.close()
    }
}

/// The events of a ``LargeMessageConsumer``.
public struct BargeConsumerEvents: AsyncSequence, Sendable {
    public typealias Element = BargeConsumerEvent
    let engine: ReassemblyEngine

    public func makeAsyncIterator() -> Iterator { Iterator(engine: engine) }

    /// Iterates the events.
    public struct Iterator: AsyncIteratorProtocol {
        let engine: ReassemblyEngine

        public mutating func next() async throws -> BargeConsumerEvent? {
            try await engine.nextEvent()
        }
    }
}
