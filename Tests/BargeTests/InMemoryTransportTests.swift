import Barge
import BargeTestKit
import Foundation
import ObjectStore
import Testing

/// The large-message producer and consumer over the in-memory transports:
/// reassembly, commits, failures and interleaving, without a broker.
@Suite("Large messages over the in-memory transport", .timeLimit(.minutes(1)))
struct InMemoryTransportTests {
    let kafka = InMemoryKafka()
    let partition = KafkaTopicPartition(topic: "t", partition: 0)

    init() {
        // Inline up to 20,000 bytes less the record overhead (16 KiB).
        kafka.createTopic("t", recordLimit: 20_000)
        kafka.createTopic("dlq")
    }

    func producer(policy: LargeMessagePolicy = .chunked(chunkSize: 1000), store: (any ObjectStore)? = nil) throws -> LargeMessageProducer {
        var options = LargeMessageProducerOptions()
        options.policy = policy
        options.objectStore = store
        return try LargeMessageProducer(transport: kafka.producer(), options: options, logger: quietLogger())
    }

    func consumer(group: String = "g", _ configure: (inout LargeMessageConsumerOptions) -> Void = { _ in }) throws -> LargeMessageConsumer {
        var options = LargeMessageConsumerOptions()
        configure(&options)
        let consumer = try LargeMessageConsumer(transport: kafka.consumer(group: group), options: options, deadLetters: kafka.producer(), logger: quietLogger())
        try consumer.subscribe(topics: ["t"])
        return consumer
    }

    func payload(_ count: Int, seed: UInt8 = 1) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) }
    }

    /// Appends chunk records to partition 0 of `t`, in the order given.
    func append(_ records: [(BargeChunkHeader, [UInt8])]) throws {
        for (header, value) in records {
            try kafka.append(KafkaProducerMessage(topic: "t", partition: 0, value: value, headers: BargeEnvelope.chunk(header).headers()))
        }
    }

    func appendPlain(_ value: [UInt8]) throws {
        try kafka.append(KafkaProducerMessage(topic: "t", partition: 0, value: value))
    }

    @Test("chunked, inline and plain records arrive whole and verified, in record order")
    func reassembly() async throws {
        let producer = try producer(policy: .auto(chunkSize: 1000))
        let large = payload(10_500), small = payload(200, seed: 9)
        let receipt = try await producer.send(large, topic: "t")
        #expect(receipt.records == 11)
        #expect(try await producer.send(small, topic: "t").isInline)
        try appendPlain([1, 2, 3])
        let consumer = try consumer()
        let received = try await collectEvents(consumer, until: messageCount(3))
        #expect(received.map(\.payload) == [large, small, [1, 2, 3]])
        try await consumer.commit()
        #expect(kafka.committed(group: "g", partition)?.offset == 13)
        await consumer.close()
    }

    @Test("commits stop at the first record of an unfinished message, and pass it once it is handled")
    func noCommitPastUnfinished() async throws {
        let message = payload(2500)
        let chunks = chunkRecords(message, chunkSize: 1000)
        try append([chunks[0]])
        try appendPlain([7])
        let consumer = try consumer()
        let first = try await collectEvents(consumer, until: messageCount(1))
        #expect(first.map(\.payload) == [[7]])
        try await consumer.commit()
        #expect(kafka.committed(group: "g", partition)?.offset == 0)

        try append(Array(chunks[1...]))
        let second = try await collectEvents(consumer, until: messageCount(1))
        #expect(second.map(\.payload) == [message])
        try await consumer.commit()
        #expect(kafka.committed(group: "g", partition)?.offset == 4)
        await consumer.close()
    }

    @Test("after a restart the unfinished message is delivered once and the handled plain record is not repeated")
    func restartResumes() async throws {
        let message = payload(2500)
        let chunks = chunkRecords(message, chunkSize: 1000)
        try append([chunks[0]])
        try appendPlain([7])
        let before = try consumer()
        #expect(try await collectEvents(before, until: messageCount(1)).map(\.payload) == [[7]])
        try await before.commit()
        await before.close()

        try append(Array(chunks[1...]))
        let after = try consumer()
        #expect(try await collectEvents(after, until: messageCount(1)).map(\.payload) == [message])
        await after.close()
    }

    @Test("two interleaved chunked messages and a plain record come out whole, each in its completion order")
    func interleaving() async throws {
        let a = payload(2500, seed: 1), b = payload(1500, seed: 2)
        let chunksA = chunkRecords(a, chunkSize: 1000), chunksB = chunkRecords(b, chunkSize: 1000)
        try append([chunksA[0], chunksB[0], chunksA[1]])
        try appendPlain([5])
        try append([chunksB[1], chunksA[2]])
        let consumer = try consumer()
        let received = try await collectEvents(consumer, until: messageCount(3))
        #expect(received.map(\.payload) == [[5], b, a])
        try await consumer.commit()
        #expect(kafka.committed(group: "g", partition)?.offset == 6)
        await consumer.close()
    }

    @Test("a chunk that never arrives fails its message with missingChunk; one that stops coming expires")
    func missingAndExpiredChunks() async throws {
        let gap = chunkRecords(payload(3000), chunkSize: 1000)
        try append([gap[0], gap[2]])
        let stalled = chunkRecords(payload(2000, seed: 3), chunkSize: 1000)
        try append([stalled[0]])
        for value in 0..<3 { try appendPlain([UInt8(value)]) }
        let consumer = try consumer { $0.expireAfterRecords = 2 }
        let received = try await collectEvents(consumer) { events in events.contains { $0.failure?.kind == .expired } }
        #expect(received.compactMap(\.failure).map(\.kind) == [.missingChunk, .expired])
        await consumer.close()
    }

    @Test("bad records: report gives a failure event and commits pass it")
    func reportPolicy() async throws {
        try kafka.append(KafkaProducerMessage(topic: "t", partition: 0, value: [1], headers: [KafkaHeader(key: "barge.v", string: "nonsense")]))
        try appendPlain([2])
        let consumer = try consumer()
        let received = try await collectEvents(consumer, until: messageCount(1))
        #expect(received.first?.failure?.kind == .malformedRecord)
        try await consumer.commit()
        #expect(kafka.committed(group: "g", partition)?.offset == 2)
        await consumer.close()
    }

    @Test("bad records: stop throws after the events before it and commits nothing past it")
    func stopPolicy() async throws {
        try appendPlain([1])
        try kafka.append(KafkaProducerMessage(topic: "t", partition: 0, value: [1], headers: [KafkaHeader(key: "barge.v", string: "nonsense")]))
        try appendPlain([3])
        let consumer = try consumer { $0.badRecords = .stop }
        var payloads: [[UInt8]] = []
        await #expect(throws: BargeConsumerError.self) {
            for try await event in consumer.events {
                if case .message(let message) = event { payloads.append(try await message.bytes()) }
            }
        }
        #expect(payloads == [[1]])
        await consumer.close()
        #expect(kafka.committed(group: "g", partition)?.offset == 1)
    }

    @Test("bad records: deadLetter copies the record with barge.dlq headers, then reports it")
    func deadLetterPolicy() async throws {
        try kafka.append(KafkaProducerMessage(topic: "t", partition: 0, key: [9], value: [1], headers: [KafkaHeader(key: "barge.v", string: "nonsense")]))
        let consumer = try consumer { $0.badRecords = .deadLetter(topic: "dlq") }
        let received = try await collectEvents(consumer) { $0.count >= 1 }
        #expect(received.first?.failure?.kind == .malformedRecord)
        let copy = try #require(kafka.records(of: KafkaTopicPartition(topic: "dlq", partition: 0)).first)
        #expect(copy.key == [9])
        #expect(copy.headers.contains(KafkaHeader(key: "barge.dlq.topic", string: "t")))
        #expect(copy.headers.contains(KafkaHeader(key: "barge.dlq.kind", string: "malformedRecord")))
        await consumer.close()
    }

    @Test("a claim check whose object is gone throws objectMissing when read")
    func missingClaimCheckObject() async throws {
        let store = MemoryObjectStore(name: "gone-\(UUID().uuidString)")
        let producer = try producer(policy: .claimCheck, store: store)
        let receipt = try await producer.send(payload(5000), topic: "t")
        let url = try #require(receipt.objectURL)
        try await store.delete(try #require(store.location.key(ofObjectURL: url)))
        let consumer = try consumer { $0.objectStores = [store] }
        var failure: BargeConsumerError?
        for try await event in consumer.events {
            guard case .message(let message) = event else { continue }
            do { _ = try await message.bytes() } catch let error as BargeConsumerError { failure = error }
            break
        }
        #expect(failure?.kind == .objectMissing)
        await consumer.close()
    }

    @Test("a claim check round-trips through the memory store")
    func claimCheckRoundTrip() async throws {
        let store = MemoryObjectStore(name: "cc-\(UUID().uuidString)")
        let producer = try producer(policy: .claimCheck, store: store)
        let data = payload(20_000)
        _ = try await producer.send(data, topic: "t")
        let consumer = try consumer { $0.objectStores = [store] }
        #expect(try await collectEvents(consumer, until: messageCount(1)).map(\.payload) == [data])
        await consumer.close()
    }

    @Test("send progress grows monotonically and reaches the payload size, chunked and as a claim check", arguments: [false, true])
    func sendProgress(claimCheck: Bool) async throws {
        let reports = Reports<BargeSendProgress>()
        var options = LargeMessageProducerOptions()
        options.policy = claimCheck ? .claimCheck : .chunked(chunkSize: 1000)
        options.objectStore = MemoryObjectStore(name: "progress-\(UUID().uuidString)")
        options.progress = { reports.append($0) }
        let producer = try LargeMessageProducer(transport: kafka.producer(), options: options, logger: quietLogger())
        let data = payload(10_500)
        let receipt = try await producer.send(data, topic: "t")
        let seen = reports.all.filter { $0.id == receipt.id }
        #expect(!seen.isEmpty)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.bytesRead <= $1.bytesRead && $0.bytesAcknowledged <= $1.bytesAcknowledged })
        #expect(seen.last?.bytesRead == 10_500)
        #expect(seen.last?.bytesAcknowledged == 10_500)
        #expect(seen.allSatisfy { $0.bytesAcknowledged <= $0.bytesRead })
    }

    @Test("receive progress grows monotonically; a message ends received and verified at its size", arguments: [false, true])
    func receiveProgress(claimCheck: Bool) async throws {
        let store = MemoryObjectStore(name: "progress-\(UUID().uuidString)")
        let data = payload(10_500)
        _ = try await producer(policy: claimCheck ? .claimCheck : .chunked(chunkSize: 1000), store: store).send(data, topic: "t")
        let reports = Reports<BargeReceiveProgress>()
        let consumer = try consumer {
            $0.objectStores = [store]
            $0.progress = { reports.append($0) }
        }
        #expect(try await collectEvents(consumer, until: messageCount(1)).map(\.payload) == [data])
        await consumer.close()
        let seen = reports.all
        #expect(seen.count > 1)
        #expect(zip(seen, seen.dropFirst()).allSatisfy { $0.bytesReceived <= $1.bytesReceived && $0.bytesVerified <= $1.bytesVerified })
        #expect(seen.dropLast().allSatisfy { $0.bytesVerified == 0 })
        #expect(seen.last?.bytesReceived == 10_500)
        #expect(seen.last?.bytesVerified == 10_500)
        #expect(seen.last?.size == 10_500)
    }
}

/// Progress reports as a hook hands them over, from whatever task it runs on.
final class Reports<Report: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [Report] = []

    func append(_ report: Report) {
        lock.withLock { reports.append(report) }
    }

    var all: [Report] {
        lock.withLock { reports }
    }
}
