import Foundation
import NIOConcurrencyHelpers
import RdKafka
import Testing

@Suite("Records whose values stay in librdkafka's buffer", .timeLimit(.minutes(2)))
struct ConsumerRecordTests {
    static let size = 2_000_000
    static let limits = [(key: "message.max.bytes", value: "\(size + 65_536)")]

    func value(_ seed: Int) -> [UInt8] {
        (0..<Self.size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ seed &+ $0 >> 11) }
    }

    /// Produces the values, then a consumer that fetches and buffers at most 1 MiB, assigned to the topic's start.
    func consumer(_ broker: EmbeddedBroker, topic: String, records: [KafkaProducerMessage]) async throws -> KafkaConsumer {
        try await createTopic(broker, topic, configs: ["max.message.bytes": "\(Self.size + 65_536)"])
        var producerSettings = producerConfiguration(broker)
        producerSettings.connection.messageMaxBytes = Self.size + 65_536
        let producer = try KafkaProducer(configuration: producerSettings, logger: testLogger("producer"))
        for record in records { _ = try await producer.send(record) }
        try await producer.close()
        var settings = consumerConfiguration(broker)
        settings.maxPartitionFetchBytes = 1 << 20
        settings.fetchMaxBytes = 1 << 20
        settings.queuedMaxMessagesKBytes = 1024
        settings.maximumBufferedBytes = 1 << 20
        let consumer = try KafkaConsumer(configuration: settings, logger: testLogger("consumer"))
        try await consumer.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: topic, partition: 0), offset: KafkaOffset.beginning)])
        return consumer
    }

    func next(_ consumer: KafkaConsumer) async throws -> KafkaConsumerRecord {
        guard let record = try await consumer.nextRecord(timeout: .seconds(30)) else { throw TestTimeout(duration: .seconds(30)) }
        return record
    }

    @Test("a value is read in pieces, copied or as a message, and once its last piece is taken it is released")
    func piecesAndRelease() async throws {
        try await withTestBroker(Self.limits) { broker in
            let payload = value(1)
            let consumer = try await consumer(broker, topic: "values", records: [
                KafkaProducerMessage(topic: "values", partition: 0, key: bytes("k"), value: payload, headers: [KafkaHeader(key: "h", value: bytes("v"))]),
                KafkaProducerMessage(topic: "values", partition: 0, key: nil, value: nil),
                KafkaProducerMessage(topic: "values", partition: 0, key: nil, value: []),
            ])
            let record = try await next(consumer)
            #expect(record.offset == 0 && record.key == bytes("k") && record.headers == [KafkaHeader(key: "h", value: bytes("v"))])
            #expect(record.timestamp != nil)
            let value = try #require(record.value)
            #expect(value.count == Self.size)
            #expect(try value.bytes(10..<20) == Array(payload[10..<20]))
            #expect(try record.message().value == payload)
            let released = Task { await value.waitUntilReleased() }
            var pieces: [[UInt8]] = []
            for try await piece in value.pieces(size: 300_000) { pieces.append(piece) }
            await released.value
            #expect(pieces.map(\.count) == [300_000, 300_000, 300_000, 300_000, 300_000, 300_000, 200_000])
            #expect(pieces.flatMap { $0 } == payload)
            #expect(value.isReleased)
            let readAfterRelease = #expect(throws: KafkaClientError.self) { try value.bytes() }
            #expect(readAfterRelease?.kind == .valueReleased)
            await value.waitUntilReleased()
            await #expect(throws: KafkaClientError.self) { for try await _ in value.pieces(size: 1000) {} }
            #expect(throws: KafkaClientError.self) { try record.message() }

            let null = try await next(consumer)
            #expect(null.value == nil)
            #expect(try null.message().value == nil)
            let empty = try await next(consumer)
            let emptyValue = try #require(empty.value)
            #expect(emptyValue.count == 0)
            var emptyPieces = 0
            for try await _ in emptyValue.pieces(size: 10) { emptyPieces += 1 }
            #expect(emptyPieces == 0 && emptyValue.isReleased)
            await consumer.close()
        }
    }

    @Test("a held value holds back the next fetch until it is released; closing waits for values still held")
    func heldValueHoldsBackFetching() async throws {
        try await withTestBroker(Self.limits) { broker in
            let values = (0..<3).map(value)
            let consumer = try await consumer(broker, topic: "held", records: values.map {
                KafkaProducerMessage(topic: "held", partition: 0, value: $0)
            })
            let first = try await next(consumer)
            // 2 MB held against a 1 MiB buffer: nothing more is fetched meanwhile.
            #expect(try await consumer.nextRecord(timeout: .seconds(2)) == nil, "the second record came while the first was held")
            #expect(try first.value?.bytes() == values[0])
            first.value?.release()
            let second = try await next(consumer)
            #expect(second.offset == 1)
            #expect(try second.value?.bytes() == values[1])

            let closed = NIOLockedValueBox(false)
            let closing = Task {
                await consumer.close()
                closed.withLockedValue { $0 = true }
            }
            // Once the consumer has stopped serving, its client waits for the held value before it is destroyed.
            try await eventually {
                do { _ = try await consumer.nextRecord(timeout: .milliseconds(10)); return false } catch { return true }
            }
            #expect(!closed.withLockedValue { $0 })
            #expect(try second.value?.bytes() == values[1])
            second.value?.release()
            try await withTimeout(.seconds(30)) { await closing.value }
            #expect(closed.withLockedValue { $0 })
        }
    }
}
