import BargeCore
import Foundation
import Logging
import RdKafka

/// Reads a topic's records from their log start to the high watermark taken
/// when the scan starts, collecting the object URLs of its `reference`
/// records and the oldest record timestamp.
struct ReferenceScan {
    let connection: KafkaConnectionConfiguration
    let timeout: Duration
    let logger: Logger

    struct Result {
        var objectURLs: Set<String> = []
        /// Timestamp of the oldest record still in the topic (nil when empty).
        var oldestRecord: Date?
        /// Whether every partition is empty but some held records once.
        var emptiedByRetention = false
    }

    func scan(topic: String, partitions: [Int32]) async throws -> Result {
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: connection.bootstrapServers, groupID: "barge-janitor-\(UUID().uuidString)"
        )
        consumerConfiguration.connection = connection
        consumerConfiguration.enableAutoCommit = false
        consumerConfiguration.automaticOffsetStore = false
        consumerConfiguration.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer(configuration: consumerConfiguration, logger: logger)
        do {
            let result = try await read(topic: topic, partitions: partitions, with: consumer)
            await consumer.close()
            return result
        } catch {
            await consumer.close()
            throw error
        }
    }

    private func read(topic: String, partitions: [Int32], with consumer: KafkaConsumer) async throws -> Result {
        var result = Result()
        var ends: [KafkaTopicPartition: Int64] = [:]
        var everHeldRecords = false
        for partition in partitions {
            let topicPartition = KafkaTopicPartition(topic: topic, partition: partition)
            let marks = try await consumer.watermarks(of: topicPartition)
            everHeldRecords = everHeldRecords || marks.high > 0
            if marks.high > marks.low { ends[topicPartition] = marks.high }
        }
        result.emptiedByRetention = ends.isEmpty && everHeldRecords
        guard !ends.isEmpty else { return result }
        try await consumer.assign(ends.keys.map { KafkaPartitionOffset($0, offset: KafkaOffset.beginning) })
        let deadline = ContinuousClock.now + timeout
        while !ends.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw BargeJanitorError("scanning topic \(topic) took longer than \(timeout); nothing was deleted")
            }
            guard let record = try await consumer.nextMessage(timeout: .seconds(1)) else {
                // Retention may have removed the rest of a partition while it was read.
                for (partition, end) in ends where try await consumer.watermarks(of: partition).low >= end {
                    ends[partition] = nil
                }
                continue
            }
            guard let end = ends[record.topicPartition] else { continue }
            if let date = record.timestamp?.date { result.oldestRecord = min(result.oldestRecord ?? date, date) }
            if case .reference(let reference)? = try? BargeEnvelope(headers: record.headers) {
                result.objectURLs.insert(reference.objectURL)
            } else if let url = Self.referenceURL(in: record.headers) {
                // A malformed reference still protects the object it names.
                result.objectURLs.insert(url)
            }
            if record.offset + 1 >= end { ends[record.topicPartition] = nil }
        }
        return result
    }

    /// The `barge.ref` header's text, read without checking the rest of the record.
    static func referenceURL(in headers: [KafkaHeader]) -> String? {
        headers.last { $0.key == BargeHeaderName.reference }?.value.flatMap { String(validating: $0, as: UTF8.self) }
    }
}

/// Why a janitor run failed as a whole (nothing was deleted).
public struct BargeJanitorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { "BargeJanitorError: \(message)" }
}
