import Logging
import RdKafka

/// A worker's Kafka clients: a consumer of the source in the bridge's group
/// (offsets committed by the bridge only) and a producer to the target
/// (transactional, with an id of the worker's own, when the bridge uses
/// transactions), both within the bridge's memory budget.
struct BridgeClients {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    let producerConfiguration: KafkaProducerConfiguration

    /// Clients for worker `worker`; `largestRecord` is the largest record the
    /// producer must take (a chunk, or a value passed unchanged).
    init(configuration: BargeBridgeConfiguration, worker: Int, largestRecord: Int, logger: Logger) async throws {
        producerConfiguration = Self.producerConfiguration(configuration, worker: worker, largestRecord: largestRecord)
        consumer = try KafkaConsumer(configuration: Self.consumerConfiguration(configuration), logger: logger)
        do {
            producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
        } catch {
            await consumer.close()
            throw error
        }
    }

    /// The source consumer's settings: no automatic commits or offset store.
    static func consumerConfiguration(_ configuration: BargeBridgeConfiguration) -> KafkaConsumerConfiguration {
        var consumer = configuration.consumer
        consumer.enableAutoCommit = false
        consumer.automaticOffsetStore = false
        configuration.memory?.apply(to: &consumer)
        return consumer
    }

    /// The target producer's settings: idempotent, transactional id
    /// `<group>-<instance>-<worker>` (stable across restarts, so a restarted worker
    /// fences its predecessor), room for `largestRecord`.
    static func producerConfiguration(_ configuration: BargeBridgeConfiguration, worker: Int, largestRecord: Int) -> KafkaProducerConfiguration {
        var producer = configuration.producer
        producer.enableIdempotence = true
        if configuration.transactions { producer.transactionalID = "\(configuration.groupID)-\(configuration.instance)-\(worker)" }
        if var memory = configuration.memory {
            memory.producerQueueBytes = max(memory.producerQueueBytes, largestRecord + KafkaMemoryBudget.recordHeadroom)
            memory.apply(to: &producer, chunkSize: largestRecord)
        }
        return producer
    }

    /// Subscribes to `source`, runs `body`, then closes both clients.
    func run(source: String, logger: Logger, _ body: () async throws -> Void) async throws {
        do {
            try consumer.subscribe(topics: [source])
            try await body()
        } catch {
            await close(logger: logger)
            throw error
        }
        await close(logger: logger)
    }

    private func close(logger: Logger) async {
        await consumer.close()
        do { try await producer.close() } catch { logger.warning("closing the bridge's producer: \(error)") }
    }
}
