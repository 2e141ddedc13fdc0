import Foundation
import NIOConcurrencyHelpers
import RdKafka
import Testing

@Suite("Consumer groups, offsets, seek and pause against the embedded broker", .timeLimit(.minutes(3)))
struct ConsumerGroupTests {
    /// Produces `count` values "0"..."count-1" spread over the topic's partitions by key.
    func produce(_ broker: EmbeddedBrokerRef, topic: String, range: Range<Int>) async throws {
        let producer = try KafkaProducer(configuration: producerConfiguration(broker.broker), logger: testLogger("producer"))
        for index in range {
            try await producer.enqueue(KafkaProducerMessage(topic: topic, key: bytes("k\(index)"), value: bytes("\(index)")))
        }
        try await producer.close()
    }

    @Test("two members share a topic; the revoke hook commits, so nothing is lost or read twice", arguments: [
        [KafkaAssignmentStrategy.range], [KafkaAssignmentStrategy.cooperativeSticky],
    ])
    func rebalanceWithCommittingHook(strategies: [KafkaAssignmentStrategy]) async throws {
        try await withTestBroker { broker in
            let ref = EmbeddedBrokerRef(broker: broker)
            try await createTopic(broker, "shared", partitions: 4)
            try await produce(ref, topic: "shared", range: 0..<200)

            let group = "group-\(UUID().uuidString)"
            let events = NIOLockedValueBox<[(member: Int, event: KafkaRebalanceEvent)]>([])
            let seen = NIOLockedValueBox<[Int: [String]]>([:])

            func makeMember(_ member: Int) throws -> KafkaConsumer {
                var settings = consumerConfiguration(broker, group: group)
                settings.assignmentStrategies = strategies
                return try KafkaConsumer(configuration: settings, rebalanceHandler: { event, consumer in
                    events.withLockedValue { $0.append((member, event)) }
                    if event.kind == .revoked {
                        // Offsets of every message this member processed are stored: commit them before giving the partitions up.
                        try? await consumer.commit()
                    }
                }, logger: testLogger("member-\(member)"))
            }

            /// Reads until `done`, recording each message and storing its offset right after.
            @Sendable func consume(_ consumer: KafkaConsumer, member: Int) async throws {
                for try await message in consumer.messages {
                    seen.withLockedValue { $0[member, default: []].append(String(decoding: message.value!, as: UTF8.self)) }
                    try? consumer.storeOffset(of: message)
                }
            }

            /// Runs the members' loops until `done`, then cancels them.
            func consumeUntil(_ members: [(Int, KafkaConsumer)], _ done: @escaping @Sendable () -> Bool) async throws {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for (member, consumer) in members {
                        tasks.addTask { try await consume(consumer, member: member) }
                    }
                    try await eventually(.seconds(60)) { done() }
                    tasks.cancelAll()
                    try await tasks.waitForAll()
                }
            }

            let first = try makeMember(0)
            try first.subscribe(topics: ["shared"])
            // Member 0 alone reads the first 200 messages, then member 1 joins and 200 more arrive.
            // Nothing is committed yet: only the revoke hook's commit tells member 1 where to start.
            try await consumeUntil([(0, first)]) { seen.withLockedValue { $0[0, default: []].count } >= 200 }
            let second = try makeMember(1)
            try second.subscribe(topics: ["shared"])
            // Member 0's poll thread serves the rebalance (and its hook) while the application is idle.
            try await eventually {
                events.withLockedValue { $0.contains { $0.member == 1 && $0.event.kind == .assigned && !$0.event.partitions.isEmpty } }
            }
            try await produce(ref, topic: "shared", range: 200..<400)
            try await consumeUntil([(0, first), (1, second)]) { seen.withLockedValue { Set($0.values.joined()).count } >= 400 }
            await first.close()
            await second.close()

            let all = seen.withLockedValue { $0.values.flatMap { $0 } }
            #expect(Set(all) == Set((0..<400).map(String.init)))
            // The hook committed before each revocation, so the new owner starts where the old one
            // stopped: at most the message in hand during a revocation is read twice (without the
            // commit, member 1 would re-read everything member 0 read since its last commit).
            #expect(all.count - 400 <= 2)
            let recorded = events.withLockedValue { $0 }
            #expect(recorded.contains { $0.member == 1 && $0.event.kind == .assigned && !$0.event.partitions.isEmpty })
            let cooperative = strategies == [.cooperativeSticky]
            #expect(recorded.allSatisfy { $0.event.isCooperative == cooperative })
            if cooperative {
                // Only the moved partitions are revoked from member 0, never all four.
                #expect(recorded.filter { $0.member == 0 && $0.event.kind == .revoked }.allSatisfy { $0.event.partitions.count < 4 } )
            } else {
                #expect(recorded.contains { $0.member == 0 && $0.event.kind == .revoked && $0.event.partitions.count == 4 })
            }
        }
    }

    @Test("a restarted consumer resumes after the committed offset, with its metadata")
    func restartResumesAfterCommit() async throws {
        try await withTestBroker { broker in
            try await produce(EmbeddedBrokerRef(broker: broker), topic: "resume", range: 0..<50)
            let settings = consumerConfiguration(broker)
            let partition = KafkaTopicPartition(topic: "resume", partition: 0)

            let first = try KafkaConsumer(configuration: settings, logger: testLogger("first"))
            try first.subscribe(topics: ["resume"])
            let firstBatch = try await collect(first, count: 20)
            #expect(firstBatch.map(\.offset) == Array(0..<20))
            try await first.commit([KafkaPartitionOffset(partition, offset: 20, metadata: "checkpoint-20")])
            let committed = try await first.committed([partition])
            #expect(committed == [KafkaPartitionOffset(partition, offset: 20, metadata: "checkpoint-20")])
            await first.close()

            let second = try KafkaConsumer(configuration: settings, logger: testLogger("second"))
            try second.subscribe(topics: ["resume"])
            let rest = try await collect(second, count: 30)
            #expect(rest.map(\.offset) == Array(20..<50))
            #expect(try await second.watermarks(of: partition) == KafkaWatermarks(low: 0, high: 50))
            await second.close()
        }
    }

    @Test("automatic offset store: commit() covers what the application finished")
    func automaticOffsetStore() async throws {
        try await withTestBroker { broker in
            try await produce(EmbeddedBrokerRef(broker: broker), topic: "auto-store", range: 0..<10)
            let partition = KafkaTopicPartition(topic: "auto-store", partition: 0)
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker), logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["auto-store"])
            var iterator = consumer.messages.makeAsyncIterator()
            for _ in 0..<5 { _ = try await iterator.next() }
            // Messages 0-3 are finished (the application asked for the next one); message 4 is in progress.
            try await consumer.commit()
            #expect(try await consumer.committed([partition]).first?.offset == 4)
            #expect(try await consumer.position([partition]).first?.offset == 5)
            await consumer.close()
        }
    }

    @Test("the rebalance hook may call the consumer's own commands without deadlocking")
    func hookCallsConsumer() async throws {
        try await withTestBroker { broker in
            try await produce(EmbeddedBrokerRef(broker: broker), topic: "hook-calls", range: 0..<5)
            let seen = NIOLockedValueBox<[KafkaTopicPartition]>([])
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker), rebalanceHandler: { event, consumer in
                guard event.kind == .assigned else { return }
                // Served by the poll thread while it runs this hook.
                let assigned = (try? await consumer.assignment()) ?? []
                _ = try? await consumer.position(assigned)
                seen.withLockedValue { $0 = assigned }
            }, logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["hook-calls"])
            #expect(try await collect(consumer, count: 5).map(\.offset) == Array(0..<5))
            #expect(seen.withLockedValue { $0 } == [KafkaTopicPartition(topic: "hook-calls", partition: 0)])
            await consumer.close()
        }
    }

    @Test("seek moves a partition and drops what was buffered")
    func seek() async throws {
        try await withTestBroker { broker in
            try await produce(EmbeddedBrokerRef(broker: broker), topic: "seek", range: 0..<100)
            let partition = KafkaTopicPartition(topic: "seek", partition: 0)
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker), logger: testLogger("consumer"))
            try await consumer.assign([KafkaPartitionOffset(partition, offset: KafkaOffset.beginning)])
            let head = try await collect(consumer, count: 10)
            #expect(head.map(\.offset) == Array(0..<10))
            try await consumer.seek([KafkaPartitionOffset(partition, offset: 75)])
            let afterSeek = try await collect(consumer, count: 5)
            #expect(afterSeek.map(\.offset) == Array(75..<80))
            try await consumer.seek([KafkaPartitionOffset(partition, offset: 3)])
            #expect(try await collect(consumer, count: 1).map(\.offset) == [3])
            await consumer.close()
        }
    }

    @Test("pause stops a partition's messages until resume, losing none")
    func pauseResume() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "pausing", partitions: 2)
            let producer = try KafkaProducer(configuration: producerConfiguration(broker), logger: testLogger("producer"))
            for index in 0..<40 {
                try await producer.enqueue(KafkaProducerMessage(topic: "pausing", partition: Int32(index % 2), value: bytes("\(index)")))
            }
            try await producer.close()
            let zero = KafkaTopicPartition(topic: "pausing", partition: 0)
            let one = KafkaTopicPartition(topic: "pausing", partition: 1)
            let consumer = try KafkaConsumer(configuration: consumerConfiguration(broker), logger: testLogger("consumer"))
            try await consumer.assign([KafkaPartitionOffset(zero, offset: KafkaOffset.beginning), KafkaPartitionOffset(one, offset: KafkaOffset.beginning)])
            var received = try await collect(consumer, count: 2)
            try await consumer.pause([one])
            let whilePaused = try await collect(consumer, count: 20 - received.filter { $0.partition == 0 }.count)
            #expect(whilePaused.allSatisfy { $0.partition == 0 })
            received += whilePaused
            try await consumer.resume([one])
            received += try await collect(consumer, count: 40 - received.count)
            #expect(Set(received.map { String(decoding: $0.value!, as: UTF8.self) }) == Set((0..<40).map(String.init)))
            #expect(received.count == 40)
            await consumer.close()
        }
    }

    @Test("a slow reader pauses fetching instead of buffering without bound, and loses nothing")
    func backPressure() async throws {
        try await withTestBroker { broker in
            try await produce(EmbeddedBrokerRef(broker: broker), topic: "slow", range: 0..<300)
            var settings = consumerConfiguration(broker)
            settings.maximumBufferedMessages = 10
            let consumer = try KafkaConsumer(configuration: settings, logger: testLogger("consumer"))
            try consumer.subscribe(topics: ["slow"])
            var offsets: [Int64] = []
            for try await message in consumer.messages {
                offsets.append(message.offset)
                if offsets.count % 50 == 0 { try await Task.sleep(for: .milliseconds(200)) }
                if offsets.count == 300 { break }
            }
            #expect(offsets == Array(0..<300))
            await consumer.close()
        }
    }
}
