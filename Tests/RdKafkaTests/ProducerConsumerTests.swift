import Foundation
import RdKafka
import Testing

@Suite("Producer and consumer against the embedded broker", .timeLimit(.minutes(3)))
struct ProducerConsumerTests {
    @Test("10,000 keyed records keep their order per partition")
    func tenThousandRecordsInOrder() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "orders", partitions: 3)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("producer"))
            var reports: [KafkaDeliveryReport] = []
            for index in 0..<10_000 {
                let message = KafkaProducerMessage(topic: "orders", key: bytes("key-\(index % 7)"), value: bytes("\(index)"))
                if index % 1000 == 999 {
                    reports.append(try await producer.send(message))
                } else {
                    try await producer.enqueue(message)
                }
            }
            try await producer.flush()
            try await producer.close()
            #expect(reports.count == 10)
            #expect(reports.allSatisfy { $0.offset != nil && $0.topicPartition.topic == "orders" })

            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker), logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["orders"])
            let messages = try await collect(consumer, count: 10_000)
            await consumer.close()

            #expect(Set(messages.map(\.partition)) == [0, 1, 2])
            var lastValueByKey: [[UInt8]: Int] = [:]
            var lastOffsetByPartition: [Int32: Int64] = [:]
            for message in messages {
                let value = Int(String(decoding: message.value ?? [], as: UTF8.self))!
                // Same key, same partition: values of one key arrive in the order sent.
                #expect(value > lastValueByKey[message.key!, default: -1])
                lastValueByKey[message.key!] = value
                #expect(message.offset == lastOffsetByPartition[message.partition, default: -1] + 1)
                lastOffsetByPartition[message.partition] = message.offset
            }
            #expect(Set(messages.map { String(decoding: $0.value!, as: UTF8.self) }).count == 10_000)
        }
    }

    @Test("keys, headers, timestamps, null and empty values round-trip")
    func fieldsRoundTrip() async throws {
        try await withTestBroker { broker in
            let producer = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("producer"))
            let timestamp = Date(timeIntervalSince1970: 1_700_000_000.123)
            let sent = [
                KafkaProducerMessage(
                    topic: "fields", partition: 0, key: bytes("k1"), value: bytes("v1"),
                    headers: [KafkaHeader(key: "a", string: "1"), KafkaHeader(key: "a", string: "2"), KafkaHeader(key: "null", value: nil), KafkaHeader(key: "empty", value: [])],
                    timestamp: timestamp
                ),
                KafkaProducerMessage(topic: "fields", partition: 0, key: nil, value: nil),
                KafkaProducerMessage(topic: "fields", partition: 0, key: [], value: []),
                KafkaProducerMessage(topic: "fields", partition: 0, key: [0, 255, 1], value: Array(0...255)),
            ]
            for message in sent {
                let report = try await producer.send(message)
                #expect(report.topicPartition == KafkaTopicPartition(topic: "fields", partition: 0))
            }
            try await producer.close()

            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker), logger: testLogger("consumer"))
            try await consumer.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: "fields", partition: 0), offset: KafkaOffset.beginning)])
            let received = try await collect(consumer, count: sent.count)
            await consumer.close()

            #expect(received.map(\.offset) == [0, 1, 2, 3])
            #expect(received.map(\.key) == sent.map(\.key))
            #expect(received.map(\.value) == sent.map(\.value))
            #expect(received[0].headers == sent[0].headers)
            #expect(received[1].headers.isEmpty)
            #expect(received[0].timestamp == KafkaTimestamp(date: timestamp, kind: .createTime))
            #expect(received[1].timestamp?.kind == .createTime)
        }
    }

    @Test("a 100 MB record with raised limits")
    func hundredMegabyteRecord() async throws {
        let size = 100 * 1024 * 1024
        try await withTestBroker([(key: "message.max.bytes", value: "\(size + 4096)"), (key: "socket.request.max.bytes", value: "\(size + 1_048_576)")]) { broker in
            var producerSettings = producerConfiguration(broker)
            producerSettings.connection.messageMaxBytes = size + 4096
            producerSettings.batchSize = size + 4096
            producerSettings.maximumInFlightBytes = 1 // one message at a time: bigger ones pass alone
            let producer = try KafkaProducer(configuration: producerSettings, logger: testLogger("producer"))
            var payload = [UInt8](repeating: 0, count: size)
            for index in stride(from: 0, to: size, by: 4096) { payload[index] = UInt8(truncatingIfNeeded: index / 4096) }
            let report = try await producer.send(KafkaProducerMessage(topic: "big", partition: 0, value: payload))
            #expect(report.offset == 0)
            #expect(producer.inFlightBytes == 0)
            try await producer.close()

            var consumerSettings = consumerConfiguration(broker)
            consumerSettings.maxPartitionFetchBytes = size + 4096
            consumerSettings.fetchMaxBytes = size + 4096
            consumerSettings.connection.receiveMessageMaxBytes = size + 1_048_576
            let consumer = try KafkaConsumer(configuration: consumerSettings, logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["big"])
            let received = try await collect(consumer, count: 1, timeout: .seconds(60))
            await consumer.close()
            #expect(received.first?.value?.count == size)
            #expect(received.first?.value == payload)
        }
    }
}
