import Foundation
import Logging
import RdKafka

/// One plain round of `barge bench large`: a `KafkaProducer` sends the
/// payload file as plain records of the chunk size (read a chunk at a time
/// off the cooperative pool) while an assign-mode `KafkaConsumer` reads them
/// from offset 0 and appends their values to the output file, which is
/// synced at the end (as `BargeMessage.write(to:)` does on the Barge side).
struct PlainTransferRun: Sendable {
    let settings: LargeBenchSettings
    let logger: Logger

    /// Time from the first record handed to the producer to the output
    /// file holding every byte, synced.
    func run(topic: String, input: String, output: String) async throws -> Duration {
        let consumer = try KafkaConsumer(
            configuration: settings.consumerConfiguration(groupID: "barge-bench-\(UUID().uuidString)"), logger: logger
        )
        let producer: KafkaProducer
        let source: BenchFile
        let sink: BenchFile
        do {
            producer = try KafkaProducer(configuration: settings.producerConfiguration(), logger: logger)
            source = try await BenchFile.openForReading(input)
            sink = try await BenchFile.create(output)
        } catch {
            await consumer.close()
            throw error
        }
        let outcome: Result<Duration, any Error>
        do {
            try await consumer.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: topic, partition: 0), offset: 0)])
            outcome = .success(try await timeTransfer("the plain transfer through \(topic)") { [settings] in
                try await Self.receive(settings.size, from: consumer, into: sink, topic: topic)
            } send: { [settings] in
                try await Self.send(source, chunkSize: settings.chunkSize, with: producer, topic: topic)
            })
        } catch {
            outcome = .failure(error)
        }
        await consumer.close()
        await source.release()
        await sink.release()
        var closeFailure: (any Error)?
        do { try await producer.close() } catch { closeFailure = error }
        let elapsed = try outcome.get()
        if let closeFailure { throw closeFailure }
        return elapsed
    }

    /// Hands the file to the producer a chunk at a time, then flushes.
    /// First it asks for the topic's metadata, as `LargeMessageProducer`
    /// does before its first chunk: a fresh librdkafka 2.0 producer that
    /// meets a partition with unknown leader holds its first message about
    /// a second before sending it.
    private static func send(_ source: BenchFile, chunkSize: Int, with producer: KafkaProducer, topic: String) async throws {
        _ = try await producer.partitionCount(of: topic)
        while true {
            let chunk = try await source.readChunk(chunkSize)
            if chunk.isEmpty { break }
            try await producer.enqueue(KafkaProducerMessage(topic: topic, partition: 0, value: chunk))
        }
        try await producer.flush(timeout: .seconds(300))
    }

    /// Appends record values to `sink` until `size` bytes arrived, syncs
    /// it, and returns when that was done.
    private static func receive(_ size: Int64, from consumer: KafkaConsumer, into sink: BenchFile, topic: String) async throws -> ContinuousClock.Instant {
        var received: Int64 = 0
        for try await message in consumer.messages {
            let value = message.value ?? []
            try await sink.append(value)
            received += Int64(value.count)
            guard received < size else { break }
        }
        guard received == size else {
            throw BenchFailure("the plain consumer of \(topic) got \(received) of \(size) bytes")
        }
        try await sink.sync()
        return .now
    }
}
