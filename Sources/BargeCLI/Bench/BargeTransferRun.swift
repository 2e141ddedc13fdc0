import Barge
import BargeRdKafka
import Foundation
import Logging
import RdKafka

/// One Barge round of `barge bench large`: `LargeMessageProducer.send(contentsOf:)`
/// sends the payload file chunked while a `LargeMessageConsumer` with
/// progressive delivery (as `barge receive`), assigned partition 0 from
/// offset 0, writes the message with `BargeMessage.write(to:)`, which ends
/// once the SHA-256 matched and the file is synced and renamed.
struct BargeTransferRun: Sendable {
    let settings: LargeBenchSettings
    let logger: Logger

    /// Time from the start of the send to the verified output file.
    func run(topic: String, input: String, output: String) async throws -> Duration {
        let group = "barge-bench-\(UUID().uuidString)"
        var consumerSettings = LargeMessageConsumerConfiguration(bootstrapServers: [settings.bootstrapServers], groupID: group)
        consumerSettings.consumer = settings.consumerConfiguration(groupID: group)
        consumerSettings.delivery = .progressive
        consumerSettings.memoryBudget = settings.memoryBudget
        var producerSettings = LargeMessageProducerConfiguration(bootstrapServers: [settings.bootstrapServers])
        producerSettings.producer = settings.producerConfiguration()
        producerSettings.policy = .chunked(chunkSize: settings.chunkSize)

        let consumer = try LargeMessageConsumer(configuration: consumerSettings, logger: logger)
        let producer: LargeMessageProducer
        do {
            producer = try LargeMessageProducer(configuration: producerSettings, logger: logger)
        } catch {
            await consumer.close()
            throw error
        }
        let outcome: Result<Duration, any Error>
        do {
            try await consumer.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: topic, partition: 0), offset: 0)])
            outcome = .success(try await timeTransfer("the Barge transfer through \(topic)") {
                try await Self.receive(from: consumer, into: output, topic: topic)
            } send: { [settings] in
                let receipt = try await producer.send(contentsOf: input, topic: topic)
                guard receipt.size == settings.size, !receipt.isInline else {
                    throw BenchFailure("sent \(receipt.size) bytes \(receipt.isInline ? "inline" : "in \(receipt.records) chunks"), not \(settings.size) chunked")
                }
            })
        } catch {
            outcome = .failure(error)
        }
        await consumer.close()
        var closeFailure: (any Error)?
        do { try await producer.close() } catch { closeFailure = error }
        let elapsed = try outcome.get()
        if let closeFailure { throw closeFailure }
        return elapsed
    }

    /// Writes the first message of the topic to `output` and returns when
    /// that was done; a failure event ends the round.
    private static func receive(from consumer: LargeMessageConsumer, into output: String, topic: String) async throws -> ContinuousClock.Instant {
        for try await event in consumer.events {
            switch event {
            case .failure(let error):
                throw BenchFailure("the Barge consumer of \(topic) failed: \(error)")
            case .message(let message):
                try await message.write(to: output)
                return .now
            }
        }
        throw BenchFailure("the Barge consumer of \(topic) stopped before a message came")
    }
}
