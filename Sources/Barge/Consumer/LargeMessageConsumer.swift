import KafkaValues
import Logging

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
/// Over librdkafka (`BargeRdKafka`'s configuration and initializer):
///
/// ```swift
/// let consumer = try LargeMessageConsumer(configuration: .init(bootstrapServers: ["127.0.0.1:9092"], groupID: "archive"))
/// try consumer.subscribe(topics: ["videos"])
/// for try await event in consumer.events {
///     if case .message(let message) = event { try await message.write(to: "/data/\(message.info.fileName ?? "video")") }
/// }
/// ```
public final class LargeMessageConsumer: Sendable {
    private let consumer: any ConsumerTransport
    private let engine: ReassemblyEngine
    private let logger: Logger

    /// Creates the consumer over `transport`, which it closes on ``close()``.
    /// Under ``BadRecordPolicy/deadLetter(topic:)`` bad records are copied
    /// through `deadLetters`; throws `BargeProducerError` if that policy is
    /// chosen without one.
    public init(
        transport: any ConsumerTransport, options: LargeMessageConsumerOptions, deadLetters: (any ProducerTransport)? = nil,
        logger: Logger = Logger(label: "barge.consumer")
    ) throws {
        var writer: DeadLetterWriter?
        if case .deadLetter(let topic) = options.badRecords {
            guard let deadLetters else {
                throw BargeProducerError(.invalidArgument, "the dead-letter policy needs a producer transport for topic \(topic)")
            }
            writer = DeadLetterWriter(topic: topic, producer: deadLetters)
        }
        consumer = transport
        engine = ReassemblyEngine(consumer: transport, configuration: options, deadLetters: writer, logger: logger)
        self.logger = logger
    }

    /// Joins the consumer group for `topics`. The engine hears of every
    /// rebalance (held weakly: the transport must not keep it alive).
    public func subscribe(topics: [String]) throws {
        try consumer.subscribe(topics: topics) { [weak engine] event in
            await engine?.rebalanced(event)
        }
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

    /// The offsets ``commit()`` would commit now (each partition's safe
    /// offset, with metadata naming what above it was handled), every event
    /// handed out so far counted as handled, without committing them: for an
    /// application that commits them itself, with its output, in a Kafka
    /// transaction (see ``LargeMessageConsumerOptions/commitsOffsets``).
    public func handledOffsets() async -> [KafkaPartitionOffset] {
        await engine.handledOffsets()
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
