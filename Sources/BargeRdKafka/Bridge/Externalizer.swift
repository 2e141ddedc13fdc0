import Barge
import RdKafka

/// What the externalizing bridge writes for one source record: a value of at
/// least the threshold goes out as a Barge message (a claim check or
/// chunks) named after the record's topic, partition and offset; anything
/// else, and a record already in Barge's format, is copied unchanged. Either
/// way the target record keeps the key, headers, timestamp and partition.
struct Externalizer: Sendable {
    let target: String
    let threshold: Int
    let producer: LargeMessageProducer

    /// The id of the Barge message made of `record`: the same for every
    /// attempt, so a replay stores the same object instead of a second one.
    static func messageID(of record: KafkaConsumerMessage) -> BargeMessageID {
        BargeMessageID(derivedFrom: "\(record.topic)/\(record.partition)/\(record.offset)")
    }

    /// Sends `record`'s value as a Barge message and returns nil, or returns
    /// the unchanged copy to write; counts it in `work`.
    func translate(_ record: KafkaConsumerMessage, work: inout BridgeWork) async throws -> KafkaProducerMessage? {
        let size = record.value?.count ?? 0
        guard let value = record.value, size >= threshold, !Self.isBargeRecord(record) else {
            work.add(bytes: size, moved: false)
            return KafkaProducerMessage(
                topic: target, partition: record.partition, key: record.key, value: record.value, headers: record.headers,
                timestamp: record.timestamp?.date
            )
        }
        let placement = BargePlacement(id: Self.messageID(of: record), partition: record.partition, timestamp: record.timestamp?.date)
        _ = try await producer.send(value, topic: target, key: record.key, headers: record.headers, placement: placement)
        work.add(bytes: size, moved: true)
        return nil
    }

    /// Whether the record already carries Barge's headers (a Barge producer
    /// wrote it): it is copied, never wrapped twice.
    static func isBargeRecord(_ record: KafkaConsumerMessage) -> Bool {
        record.headers.contains { $0.key.hasPrefix(BargeHeaderName.prefix) }
    }
}
