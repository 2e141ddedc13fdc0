import Barge
import Logging
import NIOConcurrencyHelpers
import RdKafka
import ServiceLifecycle

/// One worker of an externalizing bridge: a consumer in the bridge's group
/// and a producer of its own, moving records until a graceful shutdown.
struct ExternalizingWorker {
    let index: Int
    let configuration: BargeBridgeConfiguration
    let options: BridgeExternalizeOptions
    let counters: BridgeCounters
    let logger: Logger

    /// Claim-check objects whose storing may still be finishing while later
    /// records are read: a value is released once written, so those still
    /// in flight wait only for their fsync and hold no record; more than one
    /// keeps a slow disk's fsyncs from setting the pace.
    static let storesInFlight = 4

    func run() async throws {
        try await BridgeBackoff.restarting(logger: logger, counters: counters) { try await runOnce() }
    }

    private func runOnce() async throws {
        let clients = try await BridgeClients(
            configuration: configuration, worker: index, largestRecord: max(options.producer.policy.chunkSize, options.threshold), logger: logger)
        try await clients.run(source: configuration.source, logger: logger) {
            let largeMessages = try LargeMessageProducer(
                transport: RdKafkaProducerTransport(producer: clients.producer, configuration: clients.producerConfiguration),
                options: options.producer, logger: logger
            )
            let externalizer = Externalizer(
                target: configuration.target, threshold: options.threshold, format: options.format, producer: largeMessages,
                store: options.producer.objectStore, segmentSize: options.producer.policy.chunkSize
            )
            if configuration.transactions {
                try await moveInTransactions(clients, externalizer)
            } else {
                try await moveAtLeastOnce(clients, externalizer)
            }
        }
    }

    /// Exactly once: each batch of output records and the source offsets
    /// after it commit in one transaction; an aborted one is read again.
    /// Claim checks' objects are stored while the next record is read, their
    /// references produced in order (``OrderedOutput``).
    private func moveInTransactions(_ clients: BridgeClients, _ externalizer: Externalizer) async throws {
        let failed = NIOLockedValueBox(false)
        var pipeline = KafkaTransactionalPipeline(
            consumer: clients.consumer, producer: clients.producer,
            maximumRecords: configuration.maximumRecordsPerTransaction, maximumDuration: configuration.maximumTransactionDuration
        )
        pipeline.onRetry = { [logger] error in
            if !(error is KafkaTransactionalPipeline.Retry) {
                logger.warning("a transaction was aborted; retrying its records", metadata: ["error": "\(error)"])
            }
            failed.withLockedValue { $0 = true }
        }
        let retryingTransient = { @Sendable [logger] (error: any Error, what: String) throws -> Never in
            guard BridgeBackoff.isTransient(error) else { throw error }
            logger.warning("\(what) failed; retrying its transaction", metadata: ["error": "\(error)"])
            throw KafkaTransactionalPipeline.Retry()
        }
        let ordered = options.format == .barge && options.producer.policy == .claimCheck
            ? OrderedOutput(producer: clients.producer, largeMessages: externalizer.producer, depth: Self.storesInFlight) : nil
        if let ordered {
            pipeline.beforeCommit = {
                do { try await ordered.drain() } catch { try retryingTransient(error, "storing a claim check") }
            }
            pipeline.onFailure = { await ordered.cancelAll() }
        }
        try await clients.producer.initTransactions()
        let pending = NIOLockedValueBox(BridgeWork())
        var backoff = BridgeBackoff()
        var lag = LagMeter(consumer: clients.consumer, worker: index, counters: counters)
        while !Task.isShuttingDownGracefully {
            pending.withLockedValue { $0 = BridgeWork() }
            let committed = try await pipeline.runOneTransaction(records: { record in
                do {
                    var work = BridgeWork()
                    var records: [KafkaProducerMessage] = []
                    if let ordered {
                        try await ordered.append(try await externalizer.stage(record, work: &work))
                    } else {
                        records = try await externalizer.translate(record, work: &work)
                    }
                    pending.withLockedValue { $0.add(work) }
                    return records
                } catch {
                    try retryingTransient(error, "moving \(record.topicPartition)@\(record.offset)")
                }
            })
            if failed.withLockedValue({ state in defer { state = false }; return state }) {
                counters.retried()
                try await backoff.pause()
            } else if committed > 0 {
                counters.add(pending.withLockedValue { $0 })
                backoff.reset()
            }
            await lag.measureIfDue()
        }
        await ordered?.cancelAll()
    }

    /// At least once: a batch's output is acknowledged before its source
    /// offsets are committed; after a failure the batch is read again (the
    /// same object keys make the replay harmless to the store).
    private func moveAtLeastOnce(_ clients: BridgeClients, _ externalizer: Externalizer) async throws {
        var backoff = BridgeBackoff()
        var lag = LagMeter(consumer: clients.consumer, worker: index, counters: counters)
        while !Task.isShuttingDownGracefully {
            var batch = AtLeastOnceBatch(consumer: clients.consumer, producer: clients.producer)
            do {
                try await batch.take(
                    maximumRecords: configuration.maximumRecordsPerTransaction, maximumDuration: configuration.maximumTransactionDuration
                ) { record, work in try await externalizer.translate(record, work: &work) }
                counters.add(try await batch.commit())
                backoff.reset()
            } catch where BridgeBackoff.isTransient(error) {
                logger.warning("moving records failed; retrying them", metadata: ["error": "\(error)"])
                counters.add(try await batch.rewind())
                counters.retried()
                try await backoff.pause()
            }
            await lag.measureIfDue()
        }
    }
}
