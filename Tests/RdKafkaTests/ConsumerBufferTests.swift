@testable import RdKafka
import NIOConcurrencyHelpers
import Testing

@Suite("ConsumerBuffer: the poll thread's hand-off", .timeLimit(.minutes(1)))
struct ConsumerBufferTests {
    func message(_ partition: Int32, _ offset: Int64, size: Int = 10) -> ConsumerBuffer<KafkaConsumerMessage>.Entry {
        .message(KafkaConsumerMessage(
            topicPartition: KafkaTopicPartition(topic: "t", partition: partition),
            offset: offset,
            key: nil,
            value: [UInt8](repeating: 0, count: size)
        ))
    }

    func offset(_ entry: ConsumerBuffer<KafkaConsumerMessage>.Entry?) -> Int64? {
        if case .message(let message) = entry { return message.offset }
        return nil
    }

    @Test("full by count or by bytes; drained to half, it signals once")
    func limits() async {
        let drained = NIOLockedValueBox(0)
        let buffer = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 4, maximumBytes: 1000) { drained.withLockedValue { $0 += 1 } }
        for index in 0..<4 { buffer.append(message(0, Int64(index))) }
        #expect(buffer.isFull)
        #expect(!buffer.isBelowResumeMark)
        _ = await buffer.next()
        #expect(!buffer.isFull)
        #expect(drained.withLockedValue { $0 } == 0)
        _ = await buffer.next()
        #expect(buffer.isBelowResumeMark)
        #expect(drained.withLockedValue { $0 } == 1)
        _ = await buffer.next()
        #expect(drained.withLockedValue { $0 } == 1)

        let bytes = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 100, maximumBytes: 25)
        bytes.append(message(0, 0, size: 20))
        #expect(!bytes.isFull)
        bytes.append(message(0, 1, size: 20))
        #expect(bytes.isFull)
    }

    @Test("a waiting reader gets the next entry; a cancelled one gets nil and loses nothing")
    func waitingReader() async throws {
        let buffer = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 10, maximumBytes: 1000)
        let reader = Task { await buffer.next() }
        try await eventually { buffer.waiterCount == 1 }
        buffer.append(message(0, 7))
        #expect(offset(await reader.value) == 7)

        let cancelled = Task { await buffer.next() }
        try await eventually { buffer.waiterCount == 1 }
        cancelled.cancel()
        #expect(await cancelled.value == nil)
        #expect(buffer.waiterCount == 0)
        buffer.append(message(0, 8))
        #expect(offset(await buffer.next()) == 8)
    }

    @Test("a bounded wait times out when nothing comes (also with a zero timeout), gets an entry that comes in time, and loses none")
    func boundedWait() async throws {
        let buffer = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 10, maximumBytes: 1000)
        // Nothing is ever appended here: a lost timeout would hang (up to the test's time limit).
        for timeout in [Duration.zero, .milliseconds(1), .milliseconds(50)] {
            let started = ContinuousClock.now
            guard case .timedOut = await buffer.next(timeout: timeout) else { Issue.record("expected a timeout"); return }
            #expect(ContinuousClock.now - started >= timeout, "not before the timeout")
        }
        let waiting = Task { await buffer.next(timeout: .seconds(50)) }
        try await eventually { buffer.waiterCount == 1 }
        buffer.append(message(0, 7))
        guard case .entry(let entry) = await waiting.value else { Issue.record("expected the entry"); return }
        #expect(offset(entry) == 7)
        buffer.append(message(0, 8))
        guard case .entry(let next) = await buffer.next(timeout: .zero) else { Issue.record("a buffered entry comes at once"); return }
        #expect(offset(next) == 8)
        buffer.finish()
        guard case .ended = await buffer.next(timeout: .seconds(1)) else { Issue.record("expected the end"); return }
    }

    @Test("removing partitions keeps the others in order and reports the first removed offsets")
    func removePartitions() async {
        let buffer = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 10, maximumBytes: 1000)
        for (partition, offset) in [(0, 1), (1, 5), (0, 2), (1, 6), (2, 9)] as [(Int32, Int64)] {
            buffer.append(message(partition, offset))
        }
        #expect(buffer.firstOffset(of: KafkaTopicPartition(topic: "t", partition: 1)) == 5)
        let removed = buffer.remove(partitions: [KafkaTopicPartition(topic: "t", partition: 1), KafkaTopicPartition(topic: "t", partition: 2)])
        #expect(removed == [KafkaTopicPartition(topic: "t", partition: 1): 5, KafkaTopicPartition(topic: "t", partition: 2): 9])
        #expect(offset(await buffer.next()) == 1)
        #expect(offset(await buffer.next()) == 2)
        #expect(buffer.firstOffset(of: KafkaTopicPartition(topic: "t", partition: 1)) == nil)
    }

    @Test("finish wakes readers with nil and drops what is left")
    func finish() async throws {
        let buffer = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 10, maximumBytes: 1000)
        let reader = Task { await buffer.next() }
        try await eventually { buffer.waiterCount == 1 }
        buffer.finish()
        #expect(await reader.value == nil)
        buffer.append(message(0, 1))
        #expect(await buffer.next() == nil)
    }

    @Test("a message taken still counts its bytes until it is released; releasing to half the limit signals once")
    func heldBytes() async {
        let drained = NIOLockedValueBox(0)
        let buffer = ConsumerBuffer<KafkaConsumerMessage>(maximumCount: 100, maximumBytes: 100) { drained.withLockedValue { $0 += 1 } }
        buffer.append(message(0, 0, size: 120))
        #expect(buffer.isFull)
        _ = await buffer.next()
        #expect(buffer.isFull, "taken, not released: still held")
        #expect(buffer.heldBytes == 120)
        buffer.released(bytes: 60)
        #expect(!buffer.isFull && drained.withLockedValue { $0 } == 0)
        buffer.released(bytes: 60)
        #expect(buffer.heldBytes == 0 && buffer.isBelowResumeMark)
        #expect(drained.withLockedValue { $0 } == 1)
        // Removed and dropped messages are released by their owners too: the buffer does not count them off itself.
        buffer.append(message(1, 0, size: 30))
        buffer.remove(partitions: [KafkaTopicPartition(topic: "t", partition: 1)])
        #expect(buffer.heldBytes == 30)
        buffer.finish()
        #expect(buffer.heldBytes == 30)
    }
}

extension ConsumerBuffer<KafkaConsumerMessage>.Entry: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.message(let left), .message(let right)): left.topicPartition == right.topicPartition && left.offset == right.offset
        case (.error(let left), .error(let right)): left.code == right.code
        default: false
        }
    }
}
