import Barge
import Logging
import RdKafka
import ServiceLifecycle

/// One worker of a bridge that moves whole messages: a large-message
/// consumer in the bridge's group hands them over (reassembled, claim checks
/// and foreign formats resolved) and ``BridgeMessageOutput`` writes each to
/// the target; with transactions, its output and the consumer's handled
/// offsets commit together, one message per transaction. A graceful
/// shutdown lets the message in hand finish.
struct MessageWorker {
    let index: Int
    let configuration: BargeBridgeConfiguration
    /// How the source is read.
    let reader: LargeMessageConsumerOptions
    /// The largest record the producer must take.
    let largestRecord: Int
    /// The output, made over the worker's producer.
    let makeOutput: @Sendable (KafkaProducer, KafkaProducerConfiguration) throws -> any BridgeMessageOutput
    let counters: BridgeCounters
    let logger: Logger

    func run() async throws {
        try await BridgeBackoff.restarting(logger: logger, counters: counters) { try await runOnce() }
    }

    private func runOnce() async throws {
        let clients = try await MessageClients(configuration: configuration, worker: index, reader: reader, largestRecord: largestRecord, logger: logger)
        do {
            let output = try makeOutput(clients.producer, clients.producerConfiguration)
            try clients.consumer.subscribe(topics: [configuration.source])
            let shutdown = IdleShutdown()
            try await withGracefulShutdownHandler {
                try await shutdown.run { try await move(clients, through: output, until: shutdown) }
            } onGracefulShutdown: {
                shutdown.request()
            }
        } catch {
            await clients.close(logger: logger)
            throw error
        }
        await clients.close(logger: logger)
    }

    private func move(_ clients: MessageClients, through output: any BridgeMessageOutput, until shutdown: IdleShutdown) async throws {
        if configuration.transactions { try await clients.producer.initTransactions() }
        var lag = LagMeter(consumer: clients.transport.consumer, worker: index, counters: counters)
        var events = clients.consumer.events.makeAsyncIterator()
        while shutdown.beginWaiting() {
            let next: BargeConsumerEvent?
            do {
                next = try await events.next()
            } catch is CancellationError where shutdown.isRequested {
                return
            }
            shutdown.endWaiting()
            guard let event = next else { return }
            switch event {
            case .failure(let failure):
                logger.error("a message cannot be moved; going on as the bad-record policy says", metadata: ["error": "\(failure)"])
            case .message(let message):
                var work = BridgeWork()
                if configuration.transactions {
                    try await moveInTransaction(message, clients: clients, output: output, work: &work)
                } else {
                    for record in try await write(message, output: output, work: &work) { _ = try await clients.producer.send(record) }
                }
                counters.add(work)
            }
            await lag.measureIfDue()
        }
    }

    /// Writes `message`'s output and the consumer's handled offsets in one
    /// transaction, the offsets under the member's identity of now: if a
    /// rebalance took the message's partition, they lack it (the transaction
    /// is aborted and the worker restarts), or the coordinator refuses them.
    private func moveInTransaction(_ message: BargeMessage, clients: MessageClients, output: any BridgeMessageOutput, work: inout BridgeWork) async throws {
        let producer = clients.producer
        try producer.beginTransaction()
        do {
            for record in try await write(message, output: output, work: &work) { try await producer.enqueue(record) }
            guard let membership = clients.transport.consumer.groupMetadata() else {
                throw BargeBridgeError(.rebalanced, "the consumer left its group while \(message.info.topicPartition)@\(message.info.offset) was moved")
            }
            let offsets = await clients.consumer.handledOffsets()
            guard offsets.contains(where: { $0.topicPartition == message.info.topicPartition }) else {
                throw BargeBridgeError(.rebalanced, "a rebalance took \(message.info.topicPartition) while its message at \(message.info.offset) was moved")
            }
            try await producer.sendOffsetsToTransaction(offsets, groupMetadata: membership)
            try await producer.commitTransaction()
        } catch {
            try? await producer.abortTransaction()
            throw error
        }
    }

    /// The output for `message`; a payload found bad while it is read
    /// (corrupt, its object missing) follows the bad-record policy.
    private func write(_ message: BargeMessage, output: any BridgeMessageOutput, work: inout BridgeWork) async throws -> [KafkaProducerMessage] {
        do {
            return try await output.write(message, work: &work)
        } catch let failure as BargeConsumerError where failure.isBadRecord {
            switch reader.badRecords {
            case .stop:
                throw failure
            case .deadLetter(let topic):
                logger.warning("a bad message goes to \(topic)", metadata: ["error": "\(failure)"])
                return [message.info.deadLetter(failure, to: topic)]
            case .report, .skip:
                logger.warning("a bad message is skipped", metadata: ["error": "\(failure)"])
                return []
            }
        }
    }
}
