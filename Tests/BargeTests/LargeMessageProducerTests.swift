import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Crypto
import Foundation
import Logging
import RdKafka
import Testing

/// Reads every record of `topic` partition `partition` from the start.
func rawRecords(_ broker: EmbeddedBroker, topic: String, partition: Int32 = 0, count: Int) async throws -> [KafkaConsumerMessage] {
    var settings = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "raw-\(UUID().uuidString)")
    settings.maxPartitionFetchBytes = 8 << 20
    let consumer = try KafkaConsumer(configuration: settings, logger: quietLogger())
    try await consumer.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: topic, partition: partition), offset: 0)])
    let reader = Task {
        var records: [KafkaConsumerMessage] = []
        for try await record in consumer.messages {
            records.append(record)
            if records.count == count { break }
        }
        return records
    }
    // Bounded: a missing record ends the reader (cancellation ends the sequence) instead of hanging the test.
    let timeout = Task {
        try await Task.sleep(for: .seconds(30))
        reader.cancel()
    }
    let records = try await reader.value
    timeout.cancel()
    await consumer.close()
    return records
}

func quietLogger() -> Logger {
    var logger = Logger(label: "barge.tests")
    logger.logLevel = .critical
    return logger
}

func testPayload(_ size: Int, seed: UInt8 = 1) -> [UInt8] {
    (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &+ $0 >> 9) }
}

@Suite("LargeMessageProducer against the embedded broker", .timeLimit(.minutes(2)))
struct LargeMessageProducerTests {
    func producer(_ broker: EmbeddedBroker, policy: LargeMessagePolicy) throws -> LargeMessageProducer {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        settings.policy = policy
        settings.producer.linger = .milliseconds(1)
        return try LargeMessageProducer(configuration: settings, logger: quietLogger())
    }

    @Test("chunked: records in order in one partition, headers per the wire format, digest of the payload", arguments: [
        999, 1000, 1001, 2500,
    ])
    func chunked(size: Int) async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, policy: .chunked(chunkSize: 1000))
            let payload = testPayload(size)
            let receipt = try await producer.send(
                payload, topic: "chunks", headers: [KafkaHeader(key: "camera", string: "7")],
                description: PayloadDescription(fileName: "clip.bin", contentType: "application/octet-stream")
            )
            try await producer.close()
            let expectedChunks = (size + 999) / 1000
            #expect(receipt.records == expectedChunks)
            #expect(receipt.size == Int64(size))
            #expect(receipt.sha256.bytes == Array(SHA256.hash(data: payload)))
            #expect(receipt.lastOffset - receipt.firstOffset == Int64(expectedChunks - 1))

            let records = try await rawRecords(broker, topic: "chunks", partition: receipt.topicPartition.partition, count: expectedChunks)
            var reassembled: [UInt8] = []
            for (index, record) in records.enumerated() {
                guard case .chunk(let chunk) = try BargeEnvelope(headers: record.headers) else { Issue.record("not a chunk"); return }
                #expect(chunk.id == receipt.id)
                #expect(chunk.index == index)
                #expect(chunk.count == expectedChunks)
                #expect(chunk.size == Int64(size))
                #expect(chunk.isLast == (index == expectedChunks - 1))
                if index == 0 {
                    #expect(chunk.chunkSize == 1000 && chunk.fileName == "clip.bin" && chunk.applicationHeaders == [KafkaHeader(key: "camera", string: "7")])
                } else {
                    #expect(chunk.applicationHeaders.isEmpty)
                }
                reassembled += record.value ?? []
            }
            #expect(reassembled == payload)
        }
    }

    @Test("a stream of unknown length carries count, size and digest on its last chunk only")
    func stream() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, policy: .auto(chunkSize: 1000))
            let pieces = [testPayload(700), testPayload(1800, seed: 2), testPayload(5, seed: 3)]
            let stream = AsyncStream<[UInt8]> { continuation in
                for piece in pieces { continuation.yield(piece) }
                continuation.finish()
            }
            let receipt = try await producer.send(stream: stream, topic: "live")
            try await producer.close()
            #expect(receipt.records == 3 && receipt.size == 2505 && !receipt.isInline)
            let records = try await rawRecords(broker, topic: "live", partition: receipt.topicPartition.partition, count: 3)
            let chunks = try records.map { record -> BargeChunkHeader in
                guard case .chunk(let chunk) = try BargeEnvelope(headers: record.headers) else { throw TestFailure() }
                return chunk
            }
            #expect(chunks.map(\.count) == [nil, nil, 3])
            #expect(chunks.map(\.size) == [nil, nil, 2505])
            #expect(chunks.map { $0.sha256 == nil } == [true, true, false])
            #expect(records.flatMap { $0.value ?? [] } == pieces.flatMap { $0 })
        }
    }

    @Test("pieces of an announced size are routed by that size (count on every chunk, inline when it fits); pieces adding up to another size fail")
    func piecesOfKnownSize() async throws {
        try await withEmbeddedBroker { broker in
            func stream(_ pieces: [[UInt8]]) -> AsyncStream<[UInt8]> {
                AsyncStream { continuation in
                    for piece in pieces { continuation.yield(piece) }
                    continuation.finish()
                }
            }
            let pieces = [testPayload(700), testPayload(1800, seed: 2), testPayload(5, seed: 3)]
            let chunking = try producer(broker, policy: .chunked(chunkSize: 1000))
            let receipt = try await chunking.send(stream(pieces), size: 2505, topic: "sized")
            #expect(receipt.records == 3 && receipt.size == 2505 && !receipt.isInline)
            let records = try await rawRecords(broker, topic: "sized", partition: receipt.topicPartition.partition, count: 3)
            let chunks = try records.map { record -> BargeChunkHeader in
                guard case .chunk(let chunk) = try BargeEnvelope(headers: record.headers) else { throw TestFailure() }
                return chunk
            }
            #expect(chunks.map(\.count) == [3, 3, 3])
            #expect(records.flatMap { $0.value ?? [] } == pieces.flatMap { $0 })
            let chunkedMismatch = await #expect(throws: BargeProducerError.self) {
                try await chunking.send(stream(pieces), size: 3000, topic: "sized")
            }
            #expect(chunkedMismatch?.kind == .unreadableFile)
            try await chunking.close()

            let auto = try producer(broker, policy: .auto(chunkSize: 1000))
            let inline = try await auto.send(stream([testPayload(300), testPayload(200)]), size: 500, topic: "sized")
            #expect(inline.isInline && inline.size == 500)
            let inlineMismatch = await #expect(throws: BargeProducerError.self) {
                try await auto.send(stream([testPayload(300), testPayload(200)]), size: 400, topic: "sized")
            }
            #expect(inlineMismatch?.kind == .unreadableFile)
            try await auto.close()
        }
    }

    @Test("auto sends what fits inline and files by name; inline refuses what does not fit")
    func autoAndFiles() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, policy: .auto(chunkSize: 100_000))
            let small = try await producer.send(testPayload(10_000), topic: "auto", key: Array("k".utf8))
            #expect(small.isInline && small.records == 1)

            let path = NSTemporaryDirectory() + "barge-\(UUID().uuidString).bin"
            FileManager.default.createFile(atPath: path, contents: Data(testPayload(2_500_000)))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let file = try await producer.send(contentsOf: path, topic: "auto", key: Array("k".utf8))
            #expect(!file.isInline && file.records == 25 && file.size == 2_500_000)
            #expect(file.topicPartition == small.topicPartition)

            let missing = await #expect(throws: BargeProducerError.self) { try await producer.send(contentsOf: "/nonexistent/file", topic: "auto") }
            #expect(missing?.kind == .unreadableFile)
            try await producer.close()

            let inlineOnly = try self.producer(broker, policy: .inline)
            let tooLarge = await #expect(throws: BargeProducerError.self) { try await inlineOnly.send(testPayload(2_000_000), topic: "auto") }
            #expect(tooLarge?.kind == .tooLargeForInline)
            let reserved = await #expect(throws: BargeWireError.self) {
                try await inlineOnly.send([1], topic: "auto", headers: [KafkaHeader(key: "barge.id", string: "x")])
            }
            #expect(reserved?.kind == .reservedHeaderName)
            try await inlineOnly.close()
        }
    }

    @Test("auto routes by the topic's own max.message.bytes, read through the producer's connection")
    func topicRecordLimit() async throws {
        try await withEmbeddedBroker { broker in
            let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            try await admin.createTopic("narrow", partitions: 1, configs: ["max.message.bytes": "100000"])
            await admin.close()
            let producer = try producer(broker, policy: .auto(chunkSize: 50_000))
            // Up to 100,000 less the 16 KiB record overhead goes inline; under the
            // producer's own limit (1 MB) 90,000 would too. (The two chunks may share
            // a batch, which the topic's limit also bounds.)
            let fits = try await producer.send(testPayload(80_000), topic: "narrow")
            #expect(fits.isInline)
            let chunked = try await producer.send(testPayload(90_000), topic: "narrow")
            #expect(!chunked.isInline && chunked.records == 2)
            try await producer.close()
        }
    }

    @Test("a failing stream aborts the message on the wire")
    func abortedStream() async throws {
        struct SourceFailed: Error {}
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, policy: .chunked(chunkSize: 1000))
            let stream = AsyncThrowingStream<[UInt8], any Error> { continuation in
                continuation.yield(testPayload(2500))
                continuation.finish(throwing: SourceFailed())
            }
            await #expect(throws: SourceFailed.self) { try await producer.send(stream: stream, topic: "broken") }
            try await producer.close()
            // The first chunk went out; the second was held back to learn whether it was the last.
            let records = try await rawRecords(broker, topic: "broken", count: 2)
            let kinds = try records.map { record -> String in
                switch try BargeEnvelope(headers: record.headers) {
                case .chunk: "chunk"
                case .abort: "abort"
                default: "other"
                }
            }
            #expect(kinds == ["chunk", "abort"])
        }
    }
}

struct TestFailure: Error {}
