import Foundation
import KafkaValues
import NIOConcurrencyHelpers

/// A Kafka cluster in memory, for tests of the large-message logic without
/// a broker: topics with partitions, records at offsets, and the committed
/// offsets (with metadata) of consumer groups. Its transports
/// (``producer(maximumRecordBytes:)``, ``consumer(group:)``) plug into
/// `LargeMessageProducer` and `LargeMessageConsumer`.
public final class InMemoryKafka: Sendable {
    private struct Topic {
        var partitions: [[KafkaConsumerMessage]]
        var recordLimit: Int?
    }

    private struct State {
        var topics: [String: Topic] = [:]
        var committed: [String: [KafkaTopicPartition: KafkaPartitionOffset]] = [:]
        /// Records appended since creation.
        var appends = 0
        /// Tasks waiting for the next append.
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// An empty cluster.
    public init() {}

    /// Creates `topic` with `partitions` partitions and, if given, a
    /// `max.message.bytes` of `recordLimit`.
    public func createTopic(_ topic: String, partitions: Int = 1, recordLimit: Int? = nil) {
        state.withLockedValue { $0.topics[topic] = Topic(partitions: Array(repeating: [], count: partitions), recordLimit: recordLimit) }
    }

    /// A producer transport that refuses records over `maximumRecordBytes`.
    public func producer(maximumRecordBytes: Int = 1_000_000) -> InMemoryProducerTransport {
        InMemoryProducerTransport(kafka: self, maximumRecordBytes: maximumRecordBytes)
    }

    /// A consumer transport of consumer group `group` (each consumer of a
    /// group gets every partition of the topics it subscribes to).
    public func consumer(group: String) -> InMemoryConsumerTransport {
        InMemoryConsumerTransport(kafka: self, group: group)
    }

    /// Appends `message` as any producer would (a partition chosen from the
    /// key, or the first, when the message names none) and returns where it went.
    @discardableResult
    public func append(_ message: KafkaProducerMessage) throws -> KafkaDeliveryReport {
        let (report, waiters) = try state.withLockedValue { state in
            guard var topic = state.topics[message.topic] else { throw InMemoryKafkaError.unknownTopic(message.topic) }
            if let limit = topic.recordLimit, message.byteCount > limit {
                throw InMemoryKafkaError.recordTooLarge(message.byteCount, limit: limit)
            }
            let partition = Int(message.partition ?? Self.partition(of: message.key, among: topic.partitions.count))
            guard topic.partitions.indices.contains(partition) else { throw InMemoryKafkaError.unknownPartition(message.topic, Int32(partition)) }
            let topicPartition = KafkaTopicPartition(topic: message.topic, partition: Int32(partition))
            let offset = Int64(topic.partitions[partition].count)
            topic.partitions[partition].append(KafkaConsumerMessage(
                topicPartition: topicPartition, offset: offset, key: message.key, value: message.value, headers: message.headers,
                timestamp: KafkaTimestamp(date: message.timestamp ?? Date(), kind: .createTime)
            ))
            state.topics[message.topic] = topic
            state.appends += 1
            let waiters = state.waiters.values
            state.waiters = [:]
            return (KafkaDeliveryReport(topicPartition: topicPartition, offset: offset), waiters)
        }
        for waiter in waiters { waiter.resume() }
        return report
    }

    /// The records of `partition`, in offset order.
    public func records(of partition: KafkaTopicPartition) -> [KafkaConsumerMessage] {
        state.withLockedValue { $0.topics[partition.topic]?.partitions[Int(partition.partition)] ?? [] }
    }

    /// What `group` committed for `partition`.
    public func committed(group: String, _ partition: KafkaTopicPartition) -> KafkaPartitionOffset? {
        state.withLockedValue { $0.committed[group]?[partition] }
    }

    func partitionCount(of topic: String) throws -> Int {
        try state.withLockedValue { state in
            guard let topic = state.topics[topic] else { throw InMemoryKafkaError.unknownTopic(topic) }
            return topic.partitions.count
        }
    }

    func recordLimit(of topic: String) throws -> Int? {
        try state.withLockedValue { state in
            guard let topic = state.topics[topic] else { throw InMemoryKafkaError.unknownTopic(topic) }
            return topic.recordLimit
        }
    }

    func partitions(of topics: [String]) -> [KafkaTopicPartition] {
        state.withLockedValue { state in
            topics.flatMap { name in
                (0..<(state.topics[name]?.partitions.count ?? 0)).map { KafkaTopicPartition(topic: name, partition: Int32($0)) }
            }
        }
    }

    func record(of partition: KafkaTopicPartition, at offset: Int64) -> KafkaConsumerMessage? {
        state.withLockedValue { state in
            guard let records = state.topics[partition.topic]?.partitions[Int(partition.partition)],
                  offset >= 0, offset < records.count else { return nil }
            return records[Int(offset)]
        }
    }

    func endOffset(of partition: KafkaTopicPartition) -> Int64 {
        Int64(records(of: partition).count)
    }

    func commit(_ offsets: [KafkaPartitionOffset], group: String) {
        state.withLockedValue { state in
            for offset in offsets { state.committed[group, default: [:]][offset.topicPartition] = offset }
        }
    }

    /// Records appended since creation (see ``waitForAppend(beyond:timeout:)``).
    var appendCount: Int {
        state.withLockedValue(\.appends)
    }

    /// Returns once more than `count` records were appended (at once if
    /// they were already), or after `timeout`, whichever comes first.
    func waitForAppend(beyond count: Int, timeout: Duration) async {
        let id = UUID()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        let cancelled = self.state.withLockedValue { state in
                            guard state.appends == count, !Task.isCancelled else { return true }
                            state.waiters[id] = continuation
                            return false
                        }
                        if cancelled { continuation.resume() }
                    }
                } onCancel: {
                    self.state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The partition of a record with `key`: the first without a key.
    private static func partition(of key: [UInt8]?, among count: Int) -> Int32 {
        guard let key else { return 0 }
        let hash = key.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Int32(hash % UInt64(count))
    }
}

/// Why ``InMemoryKafka`` refused a request.
public enum InMemoryKafkaError: Error, Hashable, Sendable {
    /// No such topic.
    case unknownTopic(String)
    /// No such partition of the topic.
    case unknownPartition(String, Int32)
    /// The record is over the topic's `max.message.bytes` (or the producer's limit).
    case recordTooLarge(Int, limit: Int)
    /// The transport was closed.
    case closed
}
