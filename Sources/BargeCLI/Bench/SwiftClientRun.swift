import Foundation
import Logging
import RdKafka

/// One round of the Swift client: a producer `enqueue`s every record and
/// `flush`es once, then a fresh assign-mode consumer reads them all back
/// from offset 0 through `messages`.
///
/// Offset 0 is the beginning of the new topic. The logical
/// ``KafkaOffset/beginning`` would add a constant 500 ms to the consume
/// time: a fresh librdkafka consumer has no leader for the partition yet
/// when it first tries to look the offset up, and retries after 500 ms.
struct SwiftClientRun: Sendable {
    let settings: ClientBenchSettings
    let bootstrapServers: String
    let logger: Logger
    /// The value of every record: random, so incompressible.
    let payload: [UInt8]

    init(settings: ClientBenchSettings, bootstrapServers: String, logger: Logger) {
        self.settings = settings
        self.bootstrapServers = bootstrapServers
        self.logger = logger
        self.payload = Self.randomBytes(settings.recordSize)
    }

    /// Produces and consumes `settings.records` records on partition 0 of `topic`.
    func run(topic: String) async throws -> ClientThroughput {
        let produceTime = try await produce(topic: topic)
        let consumeTime = try await consume(topic: topic)
        return ClientThroughput(bytes: settings.totalBytes, produceTime: produceTime, consumeTime: consumeTime)
    }

    /// Time from the first `enqueue` to the end of the final `flush`.
    private func produce(topic: String) async throws -> Duration {
        let producer = try KafkaProducer(
            configuration: settings.producerConfiguration(bootstrapServers: bootstrapServers),
            logger: logger
        )
        let message = KafkaProducerMessage(topic: topic, partition: 0, value: payload)
        let records = settings.records
        let elapsed: Duration
        do {
            elapsed = try await ContinuousClock().measure {
                for _ in 0..<records { try await producer.enqueue(message) }
                try await producer.flush(timeout: .seconds(300))
            }
        } catch {
            try? await producer.close()
            throw error
        }
        try await producer.close()
        return elapsed
    }

    /// Time from `assign` to the last record.
    private func consume(topic: String) async throws -> Duration {
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(bootstrapServers: bootstrapServers, groupID: "barge-bench-\(UUID().uuidString)"),
            logger: logger
        )
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let (records, recordSize) = (settings.records, settings.recordSize)
        do {
            let elapsed = try await withDeadline(.seconds(600), "consuming \(records) records of \(topic)") {
                try await ContinuousClock().measure {
                    try await consumer.assign([KafkaPartitionOffset(partition, offset: 0)])
                    var count = 0
                    for try await message in consumer.messages {
                        guard message.value?.count == recordSize else {
                            throw BenchFailure("record \(message.offset) of \(topic) has \(message.value?.count ?? 0) bytes, not \(recordSize)")
                        }
                        count += 1
                        if count == records { return }
                    }
                    throw BenchFailure("the consumer stopped after \(count) of \(records) records")
                }
            }
            await consumer.close()
            return elapsed
        } catch {
            await consumer.close()
            throw error
        }
    }

    private static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var index = 0
            while index < count {
                let word = generator.next()
                for shift in stride(from: 0, to: 64, by: 8) where index < count {
                    buffer[index] = UInt8(truncatingIfNeeded: word >> UInt64(shift))
                    index += 1
                }
            }
            initialized = count
        }
    }
}
