import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Crypto
import Foundation
import Logging
import RdKafka
import Testing

/// Collects events of `consumer` until `stop` says so; bounded by `timeout`.
func collectEvents(
    _ consumer: LargeMessageConsumer, timeout: Duration = .seconds(60),
    readPayloads: Bool = true, until stop: @escaping @Sendable ([Received]) -> Bool
) async throws -> [Received] {
    let reader = Task {
        var received: [Received] = []
        for try await event in consumer.events {
            switch event {
            case .message(let message):
                received.append(.message(message.info, readPayloads ? try await message.bytes(limit: 64 << 20) : []))
            case .failure(let error):
                received.append(.failure(error))
            }
            if stop(received) { break }
        }
        return received
    }
    let timer = Task {
        try await Task.sleep(for: timeout)
        reader.cancel()
    }
    defer { timer.cancel() }
    return try await reader.value
}

/// An event as a test sees it.
enum Received: Sendable {
    case message(BargeMessageInfo, [UInt8])
    case failure(BargeConsumerError)

    var payload: [UInt8]? {
        if case .message(_, let bytes) = self { return bytes }
        return nil
    }

    var failure: BargeConsumerError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

func messageCount(_ count: Int) -> @Sendable ([Received]) -> Bool {
    { received in received.filter { $0.payload != nil }.count >= count }
}

/// The chunk records of `payload` (headers and value), for tests that write
/// records themselves to control their order or break them.
func chunkRecords(_ payload: [UInt8], chunkSize: Int, id: BargeMessageID = BargeMessageID()) -> [(BargeChunkHeader, [UInt8])] {
    let count = (payload.count + chunkSize - 1) / chunkSize
    return (0..<count).map { index in
        (BargeChunkHeader(
            id: id, index: index, count: count, isLast: index == count - 1, size: Int64(payload.count),
            sha256: index == count - 1 ? BargeDigest(bytes: Array(SHA256.hash(data: payload))) : nil,
            codec: .none, chunkSize: index == 0 ? chunkSize : nil
        ), Array(payload[index * chunkSize..<min(payload.count, (index + 1) * chunkSize)]))
    }
}

/// Writes chunk records to partition 0 of `topic`, in the order given.
func write(_ records: [(BargeChunkHeader, [UInt8])], topic: String, broker: EmbeddedBroker) async throws {
    let raw = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
    for (header, value) in records {
        _ = try await raw.send(KafkaProducerMessage(topic: topic, partition: 0, key: nil, value: value, headers: try BargeEnvelope.chunk(header).headers()))
    }
    try await raw.close()
}

@Suite("LargeMessageConsumer against the embedded broker", .timeLimit(.minutes(3)))
struct LargeMessageConsumerTests {
    func producer(_ broker: EmbeddedBroker, policy: LargeMessagePolicy = .chunked(chunkSize: 64 << 10)) throws -> LargeMessageProducer {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        settings.policy = policy
        settings.producer.linger = .milliseconds(1)
        return try LargeMessageProducer(configuration: settings, logger: quietLogger())
    }

    func consumer(
        _ broker: EmbeddedBroker, group: String = "g-\(UUID().uuidString)",
        _ adjust: (inout LargeMessageConsumerConfiguration) -> Void = { _ in }
    ) throws -> LargeMessageConsumer {
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group)
        settings.consumer.maxPartitionFetchBytes = 4 << 20
        adjust(&settings)
        return try LargeMessageConsumer(configuration: settings, logger: quietLogger())
    }

    @Test("payloads of 0, 1, chunk size -1/+0/+1 and 10 MB come back byte-identical with their description and headers")
    func roundTrip() async throws {
        try await withEmbeddedBroker { broker in
            let chunk = 64 << 10
            let sizes = [0, 1, chunk - 1, chunk, chunk + 1, 10_000_000]
            let producer = try producer(broker)
            var receipts: [BargeReceipt] = []
            for (index, size) in sizes.enumerated() {
                receipts.append(try await producer.send(
                    testPayload(size, seed: UInt8(index)), topic: "sizes", key: Array("k\(index)".utf8),
                    headers: [KafkaHeader(key: "n", string: "\(index)")],
                    description: PayloadDescription(fileName: "f\(index).bin", contentType: "application/x-test")
                ))
            }
            try await producer.close()
            let consumer = try consumer(broker)
            try consumer.subscribe(topics: ["sizes"])
            let received = try await collectEvents(consumer, until: messageCount(sizes.count))
            await consumer.close()
            #expect(received.compactMap(\.failure).isEmpty)
            for (index, event) in received.enumerated() {
                guard case .message(let info, let bytes) = event else { continue }
                #expect(bytes == testPayload(sizes[index], seed: UInt8(index)))
                #expect(info.id == receipts[index].id)
                #expect(info.size == Int64(sizes[index]))
                #expect(info.sha256 == receipts[index].sha256)
                #expect(info.fileName == "f\(index).bin" && info.contentType == "application/x-test")
                #expect(info.key == Array("k\(index)".utf8))
                #expect(info.headers == [KafkaHeader(key: "n", string: "\(index)")])
                #expect(info.kind == (sizes[index] == 0 ? .inline : .chunked))
                #expect(info.offset == receipts[index].firstOffset)
            }
        }
    }

    @Test("compressed payloads come back verified; a payload whose start does not compress is sent with codec none", arguments: ["gzip", "lz4", "zstd", "snappy"])
    func compressed(codec: String) async throws {
        try await withEmbeddedBroker { broker in
            var settings = LargeMessageProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
            settings.policy = .auto(chunkSize: 100_000)
            settings.producer.connection.messageMaxBytes = 200_000   // the 50 KB payload goes inline, the others in chunks
            settings.compression = try #require(BargeCompression(named: codec))
            let producer = try LargeMessageProducer(configuration: settings, logger: quietLogger())
            let text = Array(String(repeating: "2026-11-25,camera-7,person,0.93\n", count: 20_000).utf8)
            var noise = [UInt8](repeating: 0, count: 300_000)
            var generator = SystemRandomNumberGenerator()
            for index in noise.indices { noise[index] = generator.next() }
            let small = Array(text[0..<50_000])
            for payload in [text, noise, small] { _ = try await producer.send(payload, topic: "codec") }
            try await producer.close()
            let records = try await rawRecords(broker, topic: "codec", count: 7 + 3 + 1)
            let codecs = try records.map { record -> String in
                switch try BargeEnvelope(headers: record.headers) {
                case .chunk(let chunk): chunk.codec.name
                case .inline(let inline): inline.codec.name
                default: "?"
                }
            }
            #expect(codecs == Array(repeating: codec, count: 7) + ["none", "none", "none", codec])
            #expect(records[0].value!.count < 50_000)
            let consumer = try consumer(broker)
            try consumer.subscribe(topics: ["codec"])
            let received = try await collectEvents(consumer, until: messageCount(3))
            await consumer.close()
            #expect(received.compactMap(\.payload) == [text, noise, small])
        }
    }

    @Test("eight producers interleaving on one partition, under a small memory budget that forces spilling")
    func interleavingProducers() async throws {
        try await withEmbeddedBroker { broker in
            let producers = try (0..<8).map { _ in try producer(broker, policy: .chunked(chunkSize: 16 << 10)) }
            let receipts = try await withThrowingTaskGroup(of: [BargeReceipt].self) { group in
                for (index, producer) in producers.enumerated() {
                    group.addTask {
                        var receipts: [BargeReceipt] = []
                        for round in 0..<3 {
                            receipts.append(try await producer.send(testPayload(300_000 + index * 1000 + round, seed: UInt8(index * 3 + round)), topic: "mixed", key: Array("same-key".utf8)))
                        }
                        return receipts
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            for producer in producers { try await producer.close() }
            #expect(Set(receipts.map(\.topicPartition)).count == 1)
            let ranges = receipts.map { $0.firstOffset...$0.lastOffset }
            #expect(ranges.contains { range in ranges.contains { $0 != range && $0.overlaps(range) } }, "the messages really interleave")

            let consumer = try consumer(broker) { $0.memoryBudget = 256 << 10 }
            try consumer.subscribe(topics: ["mixed"])
            let received = try await collectEvents(consumer, readPayloads: false, until: messageCount(24))
            #expect(await consumer.spilledBytes > 0)
            #expect(await consumer.memoryInUse <= (256 << 10) + (16 << 10))
            await consumer.close()
            #expect(received.compactMap(\.failure).isEmpty)
            let byID = Dictionary(uniqueKeysWithValues: receipts.map { ($0.id, $0) })
            #expect(Set(received.compactMap { if case .message(let info, _) = $0 { info.id } else { nil } }) == Set(byID.keys))
        }
    }

    @Test("spilled payloads read back byte-identical, also when read after later events")
    func spilledPayloads() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker, policy: .chunked(chunkSize: 32 << 10))
            let payloads = (0..<4).map { testPayload(1_000_000 + $0, seed: UInt8($0)) }
            for payload in payloads { _ = try await producer.send(payload, topic: "spill") }
            try await producer.close()
            let consumer = try consumer(broker) { $0.memoryBudget = 100 << 10 }
            try consumer.subscribe(topics: ["spill"])
            var messages: [BargeMessage] = []
            for try await event in consumer.events {
                if case .message(let message) = event { messages.append(message) }
                if messages.count == 4 { break }
            }
            for (message, payload) in zip(messages, payloads) {
                #expect(try await message.bytes() == payload)
            }
            #expect(await consumer.spilledBytes >= 3_000_000)
            #expect(await consumer.memoryInUse == 0)
            await consumer.close()
        }
    }

    @Test("progressive delivery: the reader gets the first bytes of a live stream before the sender has finished")
    func progressive() async throws {
        try await withEmbeddedBroker { broker in
            // The topic exists before the consumer subscribes (a subscription to a
            // topic not there yet fails), whichever of sender and reader asks first.
            let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            try await admin.createTopic("live", partitions: 1)
            await admin.close()
            let producer = try producer(broker, policy: .chunked(chunkSize: 16 << 10))
            let (pieces, feed) = AsyncStream<[UInt8]>.makeStream()
            let payload = testPayload(400_000)
            let sender = Task { try await producer.send(stream: pieces, topic: "live", description: PayloadDescription(fileName: "live.mp4")) }
            feed.yield(Array(payload[0..<100_000]))
            let consumer = try consumer(broker) { $0.delivery = .progressive }
            try consumer.subscribe(topics: ["live"])
            var iterator = consumer.events.makeAsyncIterator()
            guard case .message(let message) = try await iterator.next() else { Issue.record("expected a message"); return }
            #expect(message.info.size == nil && message.info.fileName == "live.mp4")
            var received: [UInt8] = []
            var chunks = message.payload.makeAsyncIterator()
            // The sender holds back its newest full chunk until it knows it is not the last.
            while received.count < 5 * (16 << 10), let piece = try await chunks.next() { received += piece }
            #expect(received.count == 5 * (16 << 10), "the first bytes arrive while the stream is still open")
            feed.yield(Array(payload[100_000...]))
            feed.finish()
            while let piece = try await chunks.next() { received += piece }
            #expect(received == payload)
            _ = try await sender.value
            try await producer.close()
            await consumer.close()
        }
    }

    @Test("a corrupted chunk, a missing last chunk and a start mid-message are typed events; good messages around them arrive")
    func faults() async throws {
        try await withEmbeddedBroker { broker in
            let good = testPayload(5000, seed: 4)
            var corrupted = chunkRecords(testPayload(3000, seed: 2), chunkSize: 1000)
            corrupted[1].1[10] ^= 0xff
            try await write(
                Array(chunkRecords(testPayload(3000, seed: 1), chunkSize: 1000).dropFirst())   // starts mid-message
                    + corrupted
                    + chunkRecords(good, chunkSize: 1000)
                    + chunkRecords(testPayload(3000, seed: 3), chunkSize: 1000).dropLast(),    // last chunk never comes
                topic: "faults", broker: broker
            )

            let consumer = try consumer(broker) { $0.expireAfterIdle = .seconds(2) }
            try consumer.subscribe(topics: ["faults"])
            let received = try await collectEvents(consumer) { $0.count >= 4 }
            await consumer.close()
            #expect(received.compactMap(\.failure?.kind) == [.startedMidMessage, .corrupt, .expired])
            #expect(received.compactMap(\.payload) == [good])
            #expect(received.compactMap(\.failure).allSatisfy { $0.topicPartition?.topic == "faults" && $0.id != nil })
        }
    }

    @Test("a progressively delivered payload that fails after its first chunks throws, and frees the memory its unread chunks held")
    func progressiveFailureFreesMemory() async throws {
        try await withEmbeddedBroker { broker in
            var corrupt = chunkRecords(testPayload(4000, seed: 5), chunkSize: 1000)
            corrupt[3].0.sha256 = BargeDigest(bytes: Array(repeating: 0, count: 32))
            let good = testPayload(700, seed: 6)
            try await write(corrupt + chunkRecords(good, chunkSize: 1000), topic: "progressive-fail", broker: broker)
            let consumer = try consumer(broker) { $0.delivery = .progressive }
            try consumer.subscribe(topics: ["progressive-fail"])
            var events = consumer.events.makeAsyncIterator()
            guard case .message(let failing) = try await events.next(), case .message(let next) = try await events.next() else {
                Issue.record("expected two messages"); return
            }
            #expect(await consumer.memoryInUse > 0)
            #expect(try await next.bytes() == good)
            let error = await #expect(throws: BargeConsumerError.self) { _ = try await failing.bytes() }
            #expect(error?.kind == .corrupt)
            #expect(await consumer.memoryInUse == 0)
            await consumer.close()
        }
    }

    @Test("dead-letter policy: a bad record is copied with where it came from and why, then reported; good messages arrive")
    func deadLetter() async throws {
        try await withEmbeddedBroker { broker in
            var corrupted = chunkRecords(testPayload(3000, seed: 2), chunkSize: 1000)
            corrupted[1].1[10] ^= 0xff
            let good = testPayload(1500, seed: 3)
            try await write(corrupted + chunkRecords(good, chunkSize: 1000), topic: "dlq-source", broker: broker)
            let consumer = try consumer(broker) { $0.badRecords = .deadLetter(topic: "dlq-source.bad") }
            try consumer.subscribe(topics: ["dlq-source"])
            let received = try await collectEvents(consumer) { $0.count >= 2 }
            await consumer.close()
            #expect(received.compactMap(\.failure?.kind) == [.corrupt])
            #expect(received.compactMap(\.payload) == [good])

            var settings = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "dlq-reader")
            settings.autoOffsetReset = .earliest
            let reader = try KafkaConsumer(configuration: settings, logger: quietLogger())
            try await reader.assign([KafkaPartitionOffset(KafkaTopicPartition(topic: "dlq-source.bad", partition: 0), offset: 0)])
            var copy: KafkaConsumerMessage?
            let deadline = ContinuousClock.now + .seconds(30)
            while copy == nil && ContinuousClock.now < deadline { copy = try await reader.nextMessage(timeout: .seconds(1)) }
            await reader.close()
            let record = try #require(copy)
            let headers = Dictionary(record.headers.map { ($0.key, String(decoding: $0.value ?? [], as: UTF8.self)) }, uniquingKeysWith: { first, _ in first })
            #expect(headers["barge.dlq.topic"] == "dlq-source" && headers["barge.dlq.partition"] == "0")
            #expect(headers["barge.dlq.offset"] == "2" && headers["barge.dlq.first-offset"] == "0" && headers["barge.dlq.last-offset"] == "2")
            #expect(headers["barge.dlq.kind"] == "corrupt" && headers["barge.dlq.id"] == corrupted[0].0.id.text)
            #expect(headers["barge.index"] == "2", "the copy keeps the record's own headers")
            #expect(record.value == corrupted[2].1)
        }
    }

    @Test("skip policy: bad records produce no event, and commits pass them")
    func skipPolicy() async throws {
        try await withEmbeddedBroker { broker in
            var corrupted = chunkRecords(testPayload(3000, seed: 7), chunkSize: 1000)
            corrupted[2].0.sha256 = BargeDigest(bytes: Array(repeating: 1, count: 32))
            let good = testPayload(900, seed: 8)
            try await write(corrupted + chunkRecords(good, chunkSize: 1000), topic: "skip", broker: broker)
            let group = "skip-\(UUID().uuidString)"
            let consumer = try consumer(broker, group: group) { $0.badRecords = .skip }
            try consumer.subscribe(topics: ["skip"])
            let received = try await collectEvents(consumer, until: messageCount(1))
            try await consumer.commit()
            await consumer.close()
            #expect(received.compactMap(\.failure).isEmpty)
            #expect(received.compactMap(\.payload) == [good])
            let raw = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group), logger: quietLogger())
            let committed = try await raw.committed([KafkaTopicPartition(topic: "skip", partition: 0)])
            await raw.close()
            #expect(committed.first?.offset == 4)
        }
    }

    @Test("plain records pass through as messages of kind plain, with their key, headers and value")
    func plainRecords() async throws {
        try await withEmbeddedBroker { broker in
            let raw = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            _ = try await raw.send(KafkaProducerMessage(topic: "plain", key: [1], value: Array("hello".utf8), headers: [KafkaHeader(key: "a", string: "b")]))
            _ = try await raw.send(KafkaProducerMessage(topic: "plain", key: nil, value: nil))
            try await raw.close()
            let consumer = try consumer(broker)
            try consumer.subscribe(topics: ["plain"])
            let received = try await collectEvents(consumer, until: messageCount(2))
            await consumer.close()
            guard case .message(let info, let bytes) = received.first else { Issue.record("no message"); return }
            #expect(info.kind == .plain && info.id == nil && info.key == [1] && bytes == Array("hello".utf8))
            #expect(info.headers == [KafkaHeader(key: "a", string: "b")])
            #expect(received.last?.payload == [])
        }
    }

    @Test("after a restart each message is delivered exactly once: what was handled above the safe offset is not delivered again")
    func restartExactlyOnce() async throws {
        try await withEmbeddedBroker { broker in
            // A long message whose chunks interleave with short ones: the short
            // ones are handled while the long one holds the safe offset back.
            let long = chunkRecords(testPayload(20_000, seed: 9), chunkSize: 1000)
            let short = (0..<5).map { chunkRecords(testPayload(2500, seed: UInt8($0)), chunkSize: 1000) }
            try await write(Array(long[0..<5]) + short.flatMap { $0 } + Array(long[5...]), topic: "restart", broker: broker)

            let group = "restart-\(UUID().uuidString)"
            let first = try consumer(broker, group: group)
            try first.subscribe(topics: ["restart"])
            let firstBatch = try await collectEvents(first, until: messageCount(3))
            try await first.commit()
            await first.close()

            let second = try consumer(broker, group: group)
            try second.subscribe(topics: ["restart"])
            let secondBatch = try await collectEvents(second, until: messageCount(3))
            await second.close()
            let ids = (firstBatch + secondBatch).compactMap { if case .message(let info, _) = $0 { info.id } else { nil } }
            #expect(ids.count == 6)
            #expect(Set(ids) == Set(short.map { $0[0].0.id } + [long[0].0.id]))
            #expect((firstBatch + secondBatch).compactMap(\.failure).isEmpty)
        }
    }

    @Test("a second member joining mid-stream takes partitions over: the first commits and drops them on revoke, every message arrives, at most a handful twice")
    func rebalance() async throws {
        try await withEmbeddedBroker { broker in
            let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            try await admin.createTopic("shared", partitions: 2, replicationFactor: 1)
            await admin.close()
            let producer = try producer(broker, policy: .chunked(chunkSize: 20_000))
            var expected: [BargeMessageID: [UInt8]] = [:]
            for index in 0..<40 {
                let payload = testPayload(100_000 + index, seed: UInt8(index))
                expected[try await producer.send(payload, topic: "shared", key: Array("key-\(index)".utf8)).id] = payload
            }
            try await producer.close()

            let group = "rebalance-\(UUID().uuidString)"
            let tally = Tally()
            // A slow application: the first member holds its 8th message until the second
            // member has joined, so the second joins mid-stream. The keys put 22 messages in
            // one partition and 18 in the other, so either partition still has messages then.
            let secondJoined = Latch()
            @Sendable func read(_ consumer: LargeMessageConsumer, reader: Int) async throws {
                for try await event in consumer.events {
                    guard case .message(let message) = event else { Issue.record("unexpected failure event"); continue }
                    let bytes = try await message.bytes()
                    let distinct = await tally.add(message.info.id!, bytes, reader: reader)
                    if distinct >= 40 { return }
                    if reader == 1, distinct >= 8 { try await secondJoined.wait() }
                }
            }
            let first = try consumer(broker, group: group) {
                $0.consumer.assignmentStrategies = [.range]
                $0.consumer.heartbeatInterval = .milliseconds(300)
            }
            try first.subscribe(topics: ["shared"])
            let firstReader = Task { try await read(first, reader: 1) }
            try await waitUntil("the first member handled 8 messages") { await tally.distinct >= 8 }
            let second = try consumer(broker, group: group) {
                $0.consumer.assignmentStrategies = [.range]
                $0.consumer.heartbeatInterval = .milliseconds(300)
            }
            try second.subscribe(topics: ["shared"])
            let secondReader = Task { try await read(second, reader: 2) }
            try await waitUntil("the second member has partitions") { try await !second.assignment().isEmpty }
            secondJoined.open()
            let deadline = ContinuousClock.now + .seconds(60)
            while await tally.distinct < 40, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            firstReader.cancel()
            secondReader.cancel()
            _ = await (firstReader.result, secondReader.result)
            await first.close()
            await second.close()
            let (received, deliveries, byReader) = await (tally.received, tally.deliveries, tally.byReader)
            #expect(received.count == 40)
            for (id, payload) in expected { #expect(received[id] == payload) }
            #expect(deliveries - 40 <= 4, "\(deliveries - 40) messages delivered twice")
            #expect(byReader[2, default: 0] > 0, "the second member took partitions over")
        }
    }

    @Test("write(to:) puts a verified payload in place atomically; reading into memory is bounded")
    func writeAndLimits() async throws {
        try await withEmbeddedBroker { broker in
            let producer = try producer(broker)
            let payload = testPayload(300_000)
            _ = try await producer.send(payload, topic: "files")
            _ = try await producer.send(payload, topic: "files")
            try await producer.close()
            let consumer = try consumer(broker)
            try consumer.subscribe(topics: ["files"])
            let directory = NSTemporaryDirectory() + "barge-write-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var iterator = consumer.events.makeAsyncIterator()
            guard case .message(let first) = try await iterator.next(), case .message(let second) = try await iterator.next() else {
                Issue.record("expected two messages"); return
            }
            try await first.write(to: directory + "/out.bin")
            #expect(FileManager.default.contents(atPath: directory + "/out.bin") == Data(payload))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.bin"])
            await #expect(throws: BargeConsumerError.self) { try await second.bytes(limit: 1000) }
            // Without replacing, an existing file stays and the write throws; no temporary file is left.
            try Data("keep".utf8).write(to: URL(fileURLWithPath: directory + "/out.bin"))
            await #expect(throws: BargeConsumerError.self) { try await second.write(to: directory + "/out.bin", replacingExisting: false) }
            #expect(FileManager.default.contents(atPath: directory + "/out.bin") == Data("keep".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["out.bin"])
            await #expect(throws: BargeConsumerError.self) { try await second.write(to: directory + "/missing-dir/out.bin") }
            await consumer.close()
        }
    }
}


/// What a group of readers received.
actor Tally {
    private(set) var received: [BargeMessageID: [UInt8]] = [:]
    private(set) var deliveries = 0
    private(set) var byReader: [Int: Int] = [:]

    var distinct: Int { received.count }

    /// Records one delivery; returns the number of distinct messages so far.
    func add(_ id: BargeMessageID, _ payload: [UInt8], reader: Int) -> Int {
        deliveries += 1
        byReader[reader, default: 0] += 1
        received[id] = payload
        return received.count
    }
}
