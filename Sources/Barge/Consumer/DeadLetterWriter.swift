import KafkaValues

/// Copies bad records to a dead-letter topic (``BadRecordPolicy/deadLetter(topic:)``):
/// the record as read (key, value, headers, without any `barge.dlq.*`
/// headers it came with), plus headers naming where it came from and what
/// was wrong with it.
package final class DeadLetterWriter: Sendable {
    let topic: String
    private let producer: any ProducerTransport

    init(topic: String, producer: any ProducerTransport) {
        self.topic = topic
        self.producer = producer
    }

    /// Writes the copy of `record` (nil when no single record is to blame)
    /// for `failure`, and waits until it is stored.
    func write(_ failure: BargeConsumerError, record: KafkaConsumerMessage?) async throws {
        try await producer.send(Self.copy(of: record, failure: failure, to: topic))
    }

    /// The dead-letter record for `failure`.
    package static func copy(of record: KafkaConsumerMessage?, failure: BargeConsumerError, to topic: String) -> KafkaProducerMessage {
        var headers = (record?.headers ?? []).filter { !$0.key.hasPrefix(BargeHeaderName.deadLetterPrefix) }
        func add(_ name: String, _ value: String?) {
            if let value { headers.append(KafkaHeader(key: BargeHeaderName.deadLetterPrefix + name, string: value)) }
        }
        let source = record?.topicPartition ?? failure.topicPartition
        add("topic", source?.topic)
        add("partition", source.map { String($0.partition) })
        add("offset", (record?.offset ?? failure.firstOffset).map { String($0) })
        add("first-offset", failure.firstOffset.map { String($0) })
        add("last-offset", failure.lastOffset.map { String($0) })
        add("id", failure.id?.text)
        add("kind", "\(failure.kind)")
        add("error", String(failure.message.prefix(1000)))
        return KafkaProducerMessage(topic: topic, key: record?.key, value: record.map { $0.value } ?? [], headers: headers)
    }

    func close() async {
        try? await producer.close()
    }
}
