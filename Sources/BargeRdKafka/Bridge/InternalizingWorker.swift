import Barge
import Logging
import RdKafka
import ServiceLifecycle

/// One worker of an internalizing bridge: a large-message consumer in the
/// bridge's group hands over whole messages, each written to the target as
/// one plain record (with transactions, the record and the consumer's
/// handled offsets commit together, one message per transaction).
struct InternalizingWorker {
    let index: Int
    let configuration: BargeBridgeConfiguration
    let options: BridgeInternalizeOptions
    /// The largest record the target takes.
    let recordLimit: Int
    let counters: BridgeCounters
    let logger: Logger

    func run() async throws {
        try await BridgeBackoff.restarting(logger: logger, counters: counters) { try await runOnce() }
    }

    private func runOnce() async throws {
        let producerConfiguration = BridgeClients.producerConfiguration(configuration, worker: index, largestRecord: recordLimit)
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let transport: RdKafkaConsumerTransport
        let consumer: LargeMessageConsumer
        do {
            var consumerOptions = options.consumer
            consumerOptions.commitsOffsets = !configuration.transactions
            transport = try RdKafkaConsumerTransport(configuration: BridgeClients.consumerConfiguration(configuration), logger: logger)
            consumer = try LargeMessageConsumer(
                transport: transport, options: consumerOptions,
                deadLetters: RdKafkaProducerTransport(producer: producer, configuration: producerConfiguration), logger: logger
            )
            try consumer.subscribe(topics: [configuration.source])
        } catch {
            try? await producer.close()
            throw error
        }
        do {
            try await withGracefulShutdownHandler {
                try await move(from: consumer, transport: transport, to: producer)
            } onGracefulShutdown: {
                Task { await consumer.close() }
            }
        } catch where Task.isShuttingDownGracefully {
            logger.debug("stopped while shutting down: \(error)")
        } catch {
            await consumer.close()
            try? await producer.close()
            throw error
        }
        await consumer.close()
        try await producer.close()
    }

    private func move(from consumer: LargeMessageConsumer, transport: RdKafkaConsumerTransport, to producer: KafkaProducer) async throws {
        if configuration.transactions { try await producer.initTransactions() }
        var lag = LagMeter(consumer: transport.consumer, worker: index, counters: counters)
        var events = consumer.events.makeAsyncIterator()
        while true {
            // Who this member is before the message is read: its offsets are
            // refused if a rebalance hands the partition on meanwhile.
            let membership = transport.consumer.groupMetadata()
            guard let event = try await events.next() else { break }
            switch event {
            case .failure(let failure):
                logger.error("a message cannot be internalized; going on as the bad-record policy says", metadata: ["error": "\(failure)"])
            case .message(let message):
                var work = BridgeWork()
                let output = try await records(for: message, work: &work)
                if configuration.transactions, let membership {
                    try producer.beginTransaction()
                    do {
                        for record in output { try await producer.enqueue(record) }
                        try await producer.sendOffsetsToTransaction(await consumer.handledOffsets(), groupMetadata: membership)
                        try await producer.commitTransaction()
                    } catch {
                        try? await producer.abortTransaction()
                        throw error
                    }
                } else {
                    for record in output { _ = try await producer.send(record) }
                }
                counters.add(work)
            }
            await lag.measureIfDue()
        }
    }

    /// The record for `message`, or what the too-large policy makes of a
    /// message that does not fit one.
    private func records(for message: BargeMessage, work: inout BridgeWork) async throws -> [KafkaProducerMessage] {
        let info = message.info
        let room = recordLimit - KafkaMemoryBudget.recordHeadroom
        do {
            let value = try await message.bytes(limit: room)
            work.add(bytes: value.count, moved: info.kind != .plain)
            return [KafkaProducerMessage(
                topic: configuration.target, partition: info.partition, key: info.key, value: value, headers: info.headers,
                timestamp: info.timestamp?.date
            )]
        } catch let failure as BargeConsumerError where failure.kind == .tooLarge {
            let description = "message \(info.id?.text ?? "-") at \(info.topicPartition)@\(info.offset) does not fit a record of \(configuration.target): \(failure.message)"
            switch options.tooLarge {
            case .stop:
                throw BargeBridgeError(.messageTooLarge, description)
            case .skip:
                logger.warning("skipped: \(description)")
                return []
            case .deadLetter(let topic):
                logger.warning("sent to \(topic): \(description)")
                var letter = DeadLetterWriter.copy(of: nil, failure: failure, to: topic)
                letter.key = info.key
                letter.headers = info.headers + letter.headers
                return [letter]
            }
        }
    }
}
