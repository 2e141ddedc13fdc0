import Barge
import Logging
import RdKafka
import ServiceLifecycle

/// One worker of a bridge that moves whole messages: a large-message
/// consumer in the bridge's group hands them over (reassembled, claim checks
/// and foreign formats resolved) and ``BridgeMessageOutput`` writes each to
/// the target; with transactions, its output and the consumer's handled
/// offsets commit together, one message per transaction.
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
        let producerConfiguration = BridgeClients.producerConfiguration(configuration, worker: index, largestRecord: largestRecord)
        let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        let transport: RdKafkaConsumerTransport
        let consumer: LargeMessageConsumer
        let output: any BridgeMessageOutput
        do {
            output = try makeOutput(producer, producerConfiguration)
            var consumerOptions = reader
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
                try await move(from: consumer, transport: transport, to: producer, through: output)
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

    private func move(
        from consumer: LargeMessageConsumer, transport: RdKafkaConsumerTransport, to producer: KafkaProducer, through output: any BridgeMessageOutput
    ) async throws {
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
                logger.error("a message cannot be moved; going on as the bad-record policy says", metadata: ["error": "\(failure)"])
            case .message(let message):
                var work = BridgeWork()
                if configuration.transactions, let membership {
                    try producer.beginTransaction()
                    do {
                        for record in try await output.write(message, work: &work) { try await producer.enqueue(record) }
                        try await producer.sendOffsetsToTransaction(await consumer.handledOffsets(), groupMetadata: membership)
                        try await producer.commitTransaction()
                    } catch {
                        try? await producer.abortTransaction()
                        throw error
                    }
                } else {
                    for record in try await output.write(message, work: &work) { _ = try await producer.send(record) }
                }
                counters.add(work)
            }
            await lag.measureIfDue()
        }
    }
}
