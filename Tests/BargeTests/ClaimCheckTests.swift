import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import Logging
import NIOCore
import ObjectStore
import RdKafka
import Testing

/// Claim checks end to end against the embedded broker: a store, a producer
/// and a consumer configured for it.
struct ClaimCheckHarness {
    let broker: EmbeddedBroker
    let store: any ObjectStore

    func producer(
        policy: LargeMessagePolicy = .claimCheck, encryption: BargeKeyring? = nil,
        _ adjust: (inout LargeMessageProducerConfiguration) -> Void = { _ in }
    ) throws -> LargeMessageProducer {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        settings.policy = policy
        settings.objectStore = store
        settings.encryption = encryption
        settings.producer.linger = .milliseconds(1)
        adjust(&settings)
        return try LargeMessageProducer(configuration: settings, logger: quietLogger())
    }

    func consumer(
        group: String = "g-\(UUID().uuidString)", stores: [any ObjectStore]? = nil, encryption: BargeKeyring? = nil,
        _ adjust: (inout LargeMessageConsumerConfiguration) -> Void = { _ in }
    ) throws -> LargeMessageConsumer {
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group)
        settings.objectStores = stores ?? [store]
        settings.encryption = encryption
        settings.storeRetry = BargeRetryPolicy(retries: 3, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(50))
        adjust(&settings)
        return try LargeMessageConsumer(configuration: settings, logger: quietLogger())
    }

    /// The first message event of `topic`, with its payload unread.
    func firstMessage(of consumer: LargeMessageConsumer, topic: String) async throws -> BargeMessage {
        try consumer.subscribe(topics: [topic])
        for try await event in consumer.events {
            switch event {
            case .message(let message): return message
            case .failure(let error): throw error
            }
        }
        throw CancellationError()
    }

    /// The committed offset of `group` on partition 0 of `topic`, or nil.
    func committed(group: String, topic: String) async throws -> Int64? {
        let raw = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group), logger: quietLogger())
        let offsets = try await raw.committed([KafkaTopicPartition(topic: topic, partition: 0)])
        await raw.close()
        return offsets.first.flatMap { $0.offset >= 0 ? $0.offset : nil }
    }

    /// The keys stored, in order.
    func storedKeys() async throws -> [String] {
        var keys: [String] = []
        for try await object in store.list(prefix: "") { keys.append(object.key.rawValue) }
        return keys
    }
}

/// A keyring with one random key named `id`.
func testKeyring(id: String = "k1") throws -> BargeKeyring {
    var bytes = [UInt8](repeating: 0, count: 32)
    var generator = SystemRandomNumberGenerator()
    for index in bytes.indices { bytes[index] = generator.next() }
    return try BargeKeyring([BargeEncryptionKey(id: id, bytes: bytes)])
}

@Suite("Claim check against the embedded broker", .timeLimit(.minutes(3)))
struct ClaimCheckTests {
    @Test("bytes, a file and a stream of 0 B to 5 MB go to the store as one reference record each and come back verified")
    func roundTrip() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "rt-\(UUID().uuidString)"))
            let producer = try harness.producer()
            let sizes = [0, 1, 5_000_000]
            var receipts: [BargeReceipt] = []
            for (index, size) in sizes.enumerated() {
                receipts.append(try await producer.send(
                    testPayload(size, seed: UInt8(index)), topic: "cc", key: Array("k\(index)".utf8),
                    headers: [KafkaHeader(key: "n", string: "\(index)")], description: PayloadDescription(fileName: "f\(index).bin", contentType: "video/mp4")
                ))
            }
            let file = NSTemporaryDirectory() + "cc-\(UUID().uuidString).bin"
            _ = FileManager.default.createFile(atPath: file, contents: Data(testPayload(3_000_001, seed: 9)))
            defer { try? FileManager.default.removeItem(atPath: file) }
            receipts.append(try await producer.send(contentsOf: file, topic: "cc"))
            receipts.append(try await producer.send(stream: ChunkStream(testPayload(2_500_000, seed: 10), piece: 300_000), topic: "cc"))
            try await producer.close()
            #expect(receipts.allSatisfy { $0.records == 1 && $0.strategyName == "claim-check" && $0.firstOffset == $0.lastOffset })
            #expect(try await harness.storedKeys() == receipts.map { "cc/\($0.id.text)" }.sorted())

            let records = try await rawRecords(broker, topic: "cc", count: receipts.count)
            #expect(records.allSatisfy { $0.value == [] }, "a reference's value is empty, never null (a tombstone)")
            let consumer = try harness.consumer()
            try consumer.subscribe(topics: ["cc"])
            let received = try await collectEvents(consumer, until: messageCount(receipts.count))
            await consumer.close()
            let expected = sizes.enumerated().map { testPayload($1, seed: UInt8($0)) } + [testPayload(3_000_001, seed: 9), testPayload(2_500_000, seed: 10)]
            #expect(received.compactMap(\.payload) == expected)
            for (index, event) in received.enumerated() {
                guard case .message(let info, _) = event else { continue }
                #expect(info.kind == .claimCheck)
                #expect(info.id == receipts[index].id && info.sha256 == receipts[index].sha256)
                #expect(info.objectURL == receipts[index].objectURL)
                if index < sizes.count {
                    #expect(info.fileName == "f\(index).bin" && info.contentType == "video/mp4")
                    #expect(info.headers == [KafkaHeader(key: "n", string: "\(index)")] && info.key == Array("k\(index)".utf8))
                }
            }
            #expect(received.last.flatMap { if case .message(let info, _) = $0 { info.fileName } else { nil } } == nil)
        }
    }

    @Test("ranged reads fetch only the bytes asked for, plain and encrypted; out-of-range asks are typed errors", arguments: [false, true])
    func rangedReads(encrypted: Bool) async throws {
        try await withEmbeddedBroker { broker in
            let root = NSTemporaryDirectory() + "cc-ranges-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: root) }
            let harness = ClaimCheckHarness(broker: broker, store: try FileSystemObjectStore(root: root))
            let keyring = encrypted ? try testKeyring() : nil
            let payload = testPayload(3_000_000, seed: 4)
            let producer = try harness.producer(encryption: keyring)
            _ = try await producer.send(payload, topic: "ranges")
            try await producer.close()
            let consumer = try harness.consumer(encryption: keyring)
            let message = try await harness.firstMessage(of: consumer, topic: "ranges")
            let ranges: [Range<Int64>] = [0..<1, 1000..<200_000, 65_535..<65_537, 2_999_999..<3_000_000, 10..<10, 0..<3_000_000, 131_072..<196_608]
            for range in ranges {
                var bytes: [UInt8] = []
                for try await piece in message.payload(range: range) { bytes += piece }
                #expect(bytes == Array(payload[Int(range.lowerBound)..<Int(range.upperBound)]), "range \(range)")
            }
            for bad: Range<Int64> in [2_999_999..<3_000_001, 3_000_001..<3_000_002] {
                await #expect {
                    for try await _ in message.payload(range: bad) {}
                } throws: { ($0 as? BargeConsumerError)?.kind == .invalidRange }
            }
            #expect(try await message.bytes(limit: 4 << 20) == payload)
            await consumer.close()
        }
    }

    @Test("an encrypted object is not the payload in the store; no key or a wrong key is a typed error and the offset stays uncommitted")
    func encryption() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "enc-\(UUID().uuidString)"))
            let keyring = try testKeyring(id: "ops-2026")
            let payload = Array(String(repeating: "secret plans ", count: 100_000).utf8)
            let producer = try harness.producer(encryption: keyring)
            let receipt = try await producer.send(payload, topic: "enc")
            try await producer.close()
            var stored: [UInt8] = []
            for try await piece in try await harness.store.get(try ObjectKey("enc/\(receipt.id.text)")) { stored += Array(piece.readableBytesView) }
            #expect(stored.count > payload.count)
            #expect(!String(decoding: stored, as: UTF8.self).contains("secret plans"))

            for (name, keys) in [("none", nil), ("wrong", try testKeyring(id: "ops-2026")), ("other id", try testKeyring(id: "other"))] as [(String, BargeKeyring?)] {
                let group = "enc-\(name)-\(UUID().uuidString)"
                let consumer = try harness.consumer(group: group, encryption: keys)
                let message = try await harness.firstMessage(of: consumer, topic: "enc")
                await #expect("\(name)") {
                    _ = try await message.bytes()
                } throws: { ($0 as? BargeConsumerError)?.kind == .encryption }
                try await consumer.commit()
                await consumer.close()
                #expect(try await harness.committed(group: group, topic: "enc") ?? 0 == 0, "\(name): not committed past the reference")
            }
            let group = "enc-right-\(UUID().uuidString)"
            let consumer = try harness.consumer(group: group, encryption: keyring)
            let message = try await harness.firstMessage(of: consumer, topic: "enc")
            #expect(try await message.bytes() == payload)
            try await consumer.commit()
            await consumer.close()
            #expect(try await harness.committed(group: group, topic: "enc") == 1)
        }
    }

    @Test("a tampered object is corrupt (plain: SHA-256; encrypted: authentication), a missing one is objectMissing; both count as handled", arguments: [false, true])
    func tamperedAndMissing(encrypted: Bool) async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "tamper-\(UUID().uuidString)"))
            let keyring = encrypted ? try testKeyring() : nil
            let producer = try harness.producer(encryption: keyring)
            let tampered = try await producer.send(testPayload(200_000, seed: 1), topic: "tamper")
            let missing = try await producer.send(testPayload(1000, seed: 2), topic: "tamper")
            try await producer.close()
            let key = try ObjectKey("tamper/\(tampered.id.text)")
            var bytes: [UInt8] = []
            for try await piece in try await harness.store.get(key) { bytes += Array(piece.readableBytesView) }
            bytes[150_000] ^= 0x01
            _ = try await harness.store.put(key, body: ChunkStream(bytes, piece: 1 << 16).buffers)
            try await harness.store.delete(try ObjectKey("tamper/\(missing.id.text)"))

            let group = "tamper-\(UUID().uuidString)"
            let consumer = try harness.consumer(group: group, encryption: keyring)
            try consumer.subscribe(topics: ["tamper"])
            var kinds: [BargeConsumerError.Kind] = []
            for try await event in consumer.events {
                guard case .message(let message) = event else { continue }
                do { _ = try await message.bytes() } catch let error as BargeConsumerError { kinds.append(error.kind) }
                if kinds.count == 2 { break }
            }
            try await consumer.commit()
            await consumer.close()
            #expect(kinds == [.corrupt, .objectMissing])
            #expect(try await harness.committed(group: group, topic: "tamper") == 2)
        }
    }

    @Test("a reference outside every configured store is never followed: invalidReference, a bad record passed under the default policy")
    func referenceOutsideTheStores() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "a-\(UUID().uuidString)"))
            let producer = try harness.producer()
            _ = try await producer.send(testPayload(10_000), topic: "outside")
            try await producer.close()
            let group = "outside-\(UUID().uuidString)"
            let consumer = try harness.consumer(group: group, stores: [MemoryObjectStore(name: "b-\(UUID().uuidString)")])
            let message = try await harness.firstMessage(of: consumer, topic: "outside")
            await #expect {
                _ = try await message.bytes()
            } throws: { ($0 as? BargeConsumerError)?.kind == .invalidReference }
            try await consumer.commit()
            await consumer.close()
            #expect(try await harness.committed(group: group, topic: "outside") == 1)
        }
    }

    @Test("a consumer without any store leaves a claim check unhandled (noStore): its settings lack the store, the record is fine")
    func consumerWithoutStores() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "none-\(UUID().uuidString)"))
            let producer = try harness.producer()
            _ = try await producer.send(testPayload(10_000), topic: "nostore")
            try await producer.close()
            let group = "nostore-\(UUID().uuidString)"
            let consumer = try harness.consumer(group: group, stores: [])
            let message = try await harness.firstMessage(of: consumer, topic: "nostore")
            await #expect {
                _ = try await message.bytes()
            } throws: { ($0 as? BargeConsumerError)?.kind == .noStore }
            try await consumer.commit()
            await consumer.close()
            #expect(try await harness.committed(group: group, topic: "nostore") ?? 0 == 0)
        }
    }

    @Test("under the stop policy a forged reference stops the consumer: the events throw and nothing is committed past it")
    func stopPolicyHoldsTheReference() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "stop-\(UUID().uuidString)"))
            let producer = try harness.producer()
            _ = try await producer.send(testPayload(10_000), topic: "stop")
            _ = try await producer.send(testPayload(20_000), topic: "stop")
            try await producer.close()
            let group = "stop-\(UUID().uuidString)"
            let consumer = try harness.consumer(group: group, stores: [MemoryObjectStore(name: "other-\(UUID().uuidString)")]) {
                $0.badRecords = .stop
            }
            let message = try await harness.firstMessage(of: consumer, topic: "stop")
            await #expect(throws: BargeConsumerError.self) { _ = try await message.bytes() }
            var events = consumer.events.makeAsyncIterator()
            for _ in 0..<2 {
                await #expect {
                    _ = try await events.next()
                } throws: { ($0 as? BargeConsumerError)?.kind == .invalidReference }
            }
            try await consumer.commit()
            await consumer.close()
            #expect(try await harness.committed(group: group, topic: "stop") ?? 0 == 0)
        }
    }

    @Test("a producer whose reference cannot be produced deletes the object again")
    func failedReferenceDeletesTheObject() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "fail-\(UUID().uuidString)"))
            let producer = try harness.producer()
            // A header larger than the producer's record limit: the reference record is refused.
            let huge = KafkaHeader(key: "blob", value: [UInt8](repeating: 7, count: 2_000_000))
            await #expect(throws: (any Error).self) {
                _ = try await producer.send(testPayload(100_000), topic: "fail", headers: [huge])
            }
            try await producer.close()
            #expect(try await harness.storedKeys() == [])
        }
    }

    @Test("auto with a threshold: inline below the record limit, chunked below the threshold, claim check at or above it")
    func autoPolicyBands() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "auto-\(UUID().uuidString)"))
            let producer = try harness.producer(policy: .auto(chunkSize: 256 << 10, claimCheckAbove: 4_000_000))
            let small = try await producer.send(testPayload(10_000), topic: "bands")
            let medium = try await producer.send(testPayload(2_000_000), topic: "bands")
            let large = try await producer.send(testPayload(4_000_000), topic: "bands")
            try await producer.close()
            #expect([small.strategyName, medium.strategyName, large.strategyName] == ["inline", "chunked", "claim-check"])
            #expect(try await harness.storedKeys() == ["bands/\(large.id.text)"])
        }
    }

    @Test("a download that breaks part-way resumes where it stopped; a store that keeps failing gives objectStore and no commit")
    func storeFailuresWhileReading() async throws {
        try await withEmbeddedBroker { broker in
            let store = MemoryObjectStore(name: "flaky-\(UUID().uuidString)")
            let harness = ClaimCheckHarness(broker: broker, store: store)
            let payload = testPayload(2_000_000, seed: 3)
            let producer = try harness.producer()
            _ = try await producer.send(payload, topic: "flaky")
            try await producer.close()
            let outage = ObjectStoreError(.unavailable, "connection reset by test")

            store.inject(.failGet(afterBytes: 700_000, times: 2, error: outage))
            let resumed = "resumed-\(UUID().uuidString)"
            var consumer = try harness.consumer(group: resumed)
            var message = try await harness.firstMessage(of: consumer, topic: "flaky")
            #expect(try await message.bytes(limit: 4 << 20) == payload)
            #expect(store.count(of: .get) == 3, "two broken downloads, then the rest")
            try await consumer.commit()
            await consumer.close()
            #expect(try await harness.committed(group: resumed, topic: "flaky") == 1)

            // Failures that still make progress keep the read going; a store that fails at once does not.
            store.inject(.failNext(.get, times: 100, error: outage))
            let stuck = "stuck-\(UUID().uuidString)"
            consumer = try harness.consumer(group: stuck)
            message = try await harness.firstMessage(of: consumer, topic: "flaky")
            await #expect {
                _ = try await message.bytes(limit: 4 << 20)
            } throws: { ($0 as? BargeConsumerError)?.kind == .objectStore }
            try await consumer.commit()
            await consumer.close()
            #expect(try await harness.committed(group: stuck, topic: "flaky") ?? 0 == 0, "not committed past the unread claim check")
            store.removeFaults()
        }
    }

    @Test("an upload that fails part-way produces no reference and leaves nothing in the store")
    func failedUpload() async throws {
        try await withEmbeddedBroker { broker in
            let store = MemoryObjectStore(name: "upload-\(UUID().uuidString)")
            let harness = ClaimCheckHarness(broker: broker, store: store)
            store.inject(.failPut(afterBytes: 1_000_000, error: ObjectStoreError(.unavailable, "store went away")))
            let producer = try harness.producer()
            await #expect {
                _ = try await producer.send(testPayload(3_000_000), topic: "upload")
            } throws: { ($0 as? ObjectStoreError)?.kind == .unavailable }
            let next = try await producer.send(testPayload(1000), topic: "upload")
            try await producer.close()
            #expect(try await harness.storedKeys() == ["upload/\(next.id.text)"])
            #expect(next.firstOffset == 0, "the failed send produced no record")
        }
    }

    @Test("a claim-check policy without a store is refused when the producer is made")
    func policyNeedsAStore() throws {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: ["127.0.0.1:1"])
        settings.topicPolicies = ["videos": .claimCheck]
        #expect {
            _ = try LargeMessageProducer(configuration: settings, logger: quietLogger())
        } throws: { ($0 as? BargeProducerError)?.kind == .invalidArgument }
    }
}

/// `bytes` as an async sequence of `piece`-sized arrays.
struct ChunkStream: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]
    let piece: Int

    init(_ bytes: [UInt8], piece: Int) {
        self.bytes = bytes
        self.piece = piece
    }

    func makeAsyncIterator() -> AsyncStream<[UInt8]>.Iterator {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        for start in stride(from: 0, to: bytes.count, by: piece) {
            continuation.yield(Array(bytes[start..<Swift.min(bytes.count, start + piece)]))
        }
        continuation.finish()
        return stream.makeAsyncIterator()
    }

    /// The same pieces as ByteBuffers, for putting into a store.
    var buffers: AsyncStream<ByteBuffer> {
        let (stream, continuation) = AsyncStream<ByteBuffer>.makeStream()
        for start in stride(from: 0, to: bytes.count, by: piece) {
            continuation.yield(ByteBuffer(bytes: bytes[start..<Swift.min(bytes.count, start + piece)]))
        }
        continuation.finish()
        return stream
    }
}
