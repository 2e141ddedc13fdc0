import Barge
import Logging
import RdKafka

/// A message worker's clients: the large-message consumer of the source
/// (over a transport whose Kafka consumer the transactions name), the
/// producer to the target, and, under the dead-letter policy, a producer of
/// its own for bad records the consumer copies while it reads (outside the
/// bridge's transactions).
struct MessageClients {
    let producer: KafkaProducer
    let producerConfiguration: KafkaProducerConfiguration
    let transport: RdKafkaConsumerTransport
    let consumer: LargeMessageConsumer

    init(configuration: BargeBridgeConfiguration, worker: Int, reader: LargeMessageConsumerOptions, largestRecord: Int, logger: Logger) async throws {
        producerConfiguration = BridgeClients.producerConfiguration(configuration, worker: worker, largestRecord: largestRecord)
        var options = reader
        options.commitsOffsets = !configuration.transactions
        var made: [@Sendable () async -> Void] = []
        do {
            let producer = try KafkaProducer(configuration: producerConfiguration, logger: logger)
            made.append { try? await producer.close() }
            var deadLetters: RdKafkaProducerTransport?
            if case .deadLetter = reader.badRecords {
                var settings = producerConfiguration
                settings.transactionalID = nil
                let transport = try RdKafkaProducerTransport(configuration: settings, logger: logger)
                made.append { try? await transport.close() }
                deadLetters = transport
            }
            let transport = try RdKafkaConsumerTransport(configuration: BridgeClients.consumerConfiguration(configuration), logger: logger)
            made.append { await transport.close() }
            consumer = try LargeMessageConsumer(transport: transport, options: options, deadLetters: deadLetters, logger: logger)
            self.producer = producer
            self.transport = transport
        } catch {
            for close in made.reversed() { await close() }
            throw error
        }
    }

    /// Closes the consumer (and its dead-letter producer), then the producer.
    func close(logger: Logger) async {
        await consumer.close()
        do { try await producer.close() } catch { logger.warning("closing the bridge's producer: \(error)") }
    }
}
