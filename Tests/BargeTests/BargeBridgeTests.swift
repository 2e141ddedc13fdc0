import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import ObjectStore
import RdKafka
import ServiceLifecycle
import Testing

@Suite("The bridge against the embedded broker", .timeLimit(.minutes(4)))
struct BargeBridgeTests {
    let stamp = Date(timeIntervalSince1970: 1_700_000_000)

    /// Writes, to each partition: a small keyed record with a header, then two large ones.
    func writeSource(_ broker: EmbeddedBroker, partitions: Int32, largeSize: Int) async throws -> [KafkaProducerMessage] {
        var settings = KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        settings.connection.messageMaxBytes = 4 << 20
        let producer = try KafkaProducer(configuration: settings, logger: quietLogger())
        var written: [KafkaProducerMessage] = []
        for partition in 0..<partitions {
            let seed = UInt8(partition * 3)
            written += [
                KafkaProducerMessage(topic: "raw", partition: partition, key: Array("small-\(partition)".utf8), value: Array("hello".utf8),
                                     headers: [KafkaHeader(key: "origin", string: "legacy")], timestamp: stamp),
                KafkaProducerMessage(topic: "raw", partition: partition, key: Array("big-\(partition)".utf8), value: testPayload(largeSize, seed: seed + 1),
                                     headers: [KafkaHeader(key: "origin", string: "legacy")], timestamp: stamp.addingTimeInterval(1)),
                KafkaProducerMessage(topic: "raw", partition: partition, key: nil, value: testPayload(largeSize, seed: seed + 2), timestamp: stamp.addingTimeInterval(2)),
            ]
        }
        for message in written { _ = try await producer.send(message) }
        try await producer.close()
        return written
    }

    func externalize(_ broker: EmbeddedBroker, policy: LargeMessagePolicy, store: (any ObjectStore)?) -> BargeBridgeConfiguration {
        var options = LargeMessageProducerOptions()
        options.policy = policy
        options.objectStore = store
        var configuration = BargeBridgeConfiguration(
            bootstrapServers: [broker.bootstrapServers], groupID: "bridge", source: "raw", target: "out",
            mode: .externalize(BridgeExternalizeOptions(threshold: 100_000, producer: options)))
        configuration.maximumTransactionDuration = .milliseconds(200)
        return configuration
    }

    /// Checks that `received` holds `written`: same partition, key, headers,
    /// timestamp and payload, large values as `kind` named after their source.
    func expectSame(_ received: [Received], as written: [KafkaProducerMessage], largeKind: BargeMessageInfo.Kind) {
        #expect(received.compactMap(\.failure).isEmpty)
        let messages = received.compactMap { event -> (BargeMessageInfo, [UInt8])? in
            if case .message(let info, let bytes) = event { return (info, bytes) }
            return nil
        }
        #expect(messages.count == written.count)
        for (partition, group) in Dictionary(grouping: messages, by: { $0.0.partition }) {
            let sent = written.filter { $0.partition == partition }
            #expect(group.map(\.1) == sent.map { $0.value ?? [] }, "partition \(partition): payloads in order")
            #expect(group.map(\.0.key) == sent.map(\.key))
            #expect(group.map(\.0.headers) == sent.map(\.headers))
            #expect(group.map(\.0.timestamp?.date) == sent.map(\.timestamp))
            #expect(group.map(\.0.kind) == [.plain, largeKind, largeKind])
            for (index, (info, _)) in group.enumerated() where index > 0 {
                #expect(info.id == BargeMessageID(derivedFrom: "raw/\(partition)/\(index)"))
            }
        }
    }

    @Test("two workers externalize two partitions as chunks, keeping partition, order, key, headers and timestamp")
    func chunkedInParallel() async throws {
        try await withEmbeddedBroker { broker in
            try await createBridgeTopic(broker, "raw", partitions: 2, configs: ["max.message.bytes": "\(4 << 20)"])
            try await createBridgeTopic(broker, "out", partitions: 2)
            let written = try await writeSource(broker, partitions: 2, largeSize: 300_000)
            var configuration = externalize(broker, policy: .chunked(chunkSize: 64 << 10), store: nil)
            configuration.parallelism = 2
            let bridge = BargeBridge(configuration: configuration, logger: quietLogger())
            try await runBridge(bridge, until: "6 records moved") { $0.records == 6 }
            #expect(bridge.statistics.movedRecords == 4)
            #expect(bridge.statistics.movedBytes == 1_200_000)
            expectSame(try await readBridged(broker, "out", count: 6), as: written, largeKind: .chunked)
        }
    }

    @Test("without transactions a store failure is retried; every record arrives, its object under its derived id")
    func atLeastOnceRetriesTheStore() async throws {
        try await withEmbeddedBroker { broker in
            try await createBridgeTopic(broker, "raw", configs: ["max.message.bytes": "\(4 << 20)"])
            try await createBridgeTopic(broker, "out")
            let written = try await writeSource(broker, partitions: 1, largeSize: 500_000)
            let store = MemoryObjectStore(name: "bridge-\(UUID().uuidString)")
            store.inject(.failPut(afterBytes: 1000, times: 2, error: ObjectStoreError(.unavailable, "store down for a moment")))
            var configuration = externalize(broker, policy: .claimCheck, store: store)
            configuration.transactions = false
            let bridge = BargeBridge(configuration: configuration, logger: quietLogger())
            try await runBridge(bridge, until: "3 records moved") { $0.records == 3 }
            #expect(bridge.statistics.retries == 2)
            let keys = try await store.list(prefix: "out/").reduce(into: [String]()) { $0.append($1.key.rawValue) }
            #expect(Set(keys) == Set((1...2).map { "out/\(BargeMessageID(derivedFrom: "raw/0/\($0)").text)" }))
            expectSame(try await readBridged(broker, "out", count: 3, stores: [store]), as: written, largeKind: .claimCheck)
        }
    }

    @Test("internalizing a message larger than the target's records stops the bridge with messageTooLarge, or skips it")
    func internalizeTooLarge() async throws {
        try await withEmbeddedBroker { broker in
            try await createBridgeTopic(broker, "files")
            try await createBridgeTopic(broker, "small", configs: ["max.message.bytes": "200000"])
            var settings = LargeMessageProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
            settings.policy = .chunked(chunkSize: 64 << 10)
            let producer = try LargeMessageProducer(configuration: settings, logger: quietLogger())
            _ = try await producer.send(testPayload(100_000, seed: 1), topic: "files", key: Array("fits".utf8))
            _ = try await producer.send(testPayload(400_000, seed: 2), topic: "files", key: Array("too-big".utf8))
            _ = try await producer.send(testPayload(120_000, seed: 3), topic: "files", key: Array("fits-too".utf8))
            try await producer.close()

            var options = BridgeInternalizeOptions()
            let stopping = BargeBridge(configuration: BargeBridgeConfiguration(
                bootstrapServers: [broker.bootstrapServers], groupID: "stop", source: "files", target: "small", mode: .internalize(options)),
                logger: quietLogger())
            await #expect { try await stopping.run() } throws: { ($0 as? BargeBridgeError)?.kind == .messageTooLarge }
            #expect(stopping.statistics.records == 1)

            options.tooLarge = .skip
            let skipping = BargeBridge(configuration: BargeBridgeConfiguration(
                bootstrapServers: [broker.bootstrapServers], groupID: "stop", source: "files", target: "small", mode: .internalize(options)),
                logger: quietLogger())
            try await runBridge(skipping, until: "the last message written") { $0.records == 1 }
            let plain = try await readBridged(broker, "small", count: 2)
            #expect(plain.compactMap(\.payload) == [testPayload(100_000, seed: 1), testPayload(120_000, seed: 3)],
                    "the first message once (the stopped bridge committed it), the large one skipped")
        }
    }

    @Test("a second bridge process joining mid-stream takes partitions over; every record is written once")
    func secondInstanceJoins() async throws {
        try await withEmbeddedBroker { broker in
            try await createBridgeTopic(broker, "raw", partitions: 2, configs: ["max.message.bytes": "\(4 << 20)"])
            try await createBridgeTopic(broker, "out", partitions: 2)
            var settings = KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
            settings.connection.messageMaxBytes = 4 << 20
            let source = try KafkaProducer(configuration: settings, logger: quietLogger())
            var payloads: [[UInt8]] = []
            func write(_ count: Int) async throws {
                for _ in 0..<count {
                    let payload = testPayload(200_000 + payloads.count, seed: UInt8(truncatingIfNeeded: payloads.count))
                    _ = try await source.send(KafkaProducerMessage(topic: "raw", partition: Int32(payloads.count % 2), value: payload))
                    payloads.append(payload)
                }
            }
            try await write(10)
            let store = MemoryObjectStore(name: "bridge-\(UUID().uuidString)")
            var first = externalize(broker, policy: .claimCheck, store: store)
            first.maximumRecordsPerTransaction = 2
            var second = first
            second.instance = "b"
            let bridges = [BargeBridge(configuration: first, logger: quietLogger()), BargeBridge(configuration: second, logger: quietLogger())]
            let groups = bridges.map { ServiceGroup(configuration: .init(services: [.init(service: $0)], logger: quietLogger())) }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await groups[0].run() }
                try await waitUntil("the first bridge moved some records") { bridges[0].statistics.records >= 6 }
                tasks.addTask { try await groups[1].run() }
                // Records keep coming while the second bridge joins, until it has moved some.
                let deadline = ContinuousClock.now + .seconds(120)
                while bridges[1].statistics.records == 0, ContinuousClock.now < deadline {
                    try await write(2)
                    try await waitUntil("the bridges caught up") { bridges.map(\.statistics.records).reduce(0, +) >= payloads.count - 4 }
                }
                let total = payloads.count
                try await waitUntil("\(total) records moved", timeout: .seconds(120)) { bridges.map(\.statistics.records).reduce(0, +) >= total }
                for group in groups { await group.triggerGracefulShutdown() }
                try await tasks.waitForAll()
            }
            try await source.close()
            #expect(bridges[1].statistics.records > 0, "the second bridge took partitions over")
            let received = try await readBridged(broker, "out", count: payloads.count, stores: [store])
            #expect(received.compactMap(\.failure).isEmpty)
            #expect(received.count == payloads.count)
            #expect(Set(received.compactMap(\.payload)) == Set(payloads), "every payload, none twice")
            var objects = 0
            for try await _ in store.list(prefix: "out/") { objects += 1 }
            #expect(objects == payloads.count)
        }
    }

    @Test("settings that cannot work are refused before anything moves")
    func refusedSettings() async throws {
        try await withEmbeddedBroker { broker in
            try await createBridgeTopic(broker, "raw", partitions: 3)
            try await createBridgeTopic(broker, "out", partitions: 2)
            let fewer = BargeBridge(configuration: externalize(broker, policy: .chunked(), store: nil), logger: quietLogger())
            await #expect { try await fewer.run() } throws: { ($0 as? BargeBridgeError)?.kind == .invalidConfiguration }
            let noStore = BargeBridge(configuration: externalize(broker, policy: .claimCheck, store: nil), logger: quietLogger())
            await #expect { try await noStore.run() } throws: { ($0 as? BargeBridgeError)?.kind == .invalidConfiguration }
        }
    }

    @Test("a message id derived from a name is the same every time and differs between names")
    func derivedIDs() {
        let id = BargeMessageID(derivedFrom: "raw/0/17")
        #expect(id == BargeMessageID(derivedFrom: "raw/0/17"))
        #expect(id != BargeMessageID(derivedFrom: "raw/0/18"))
        #expect(BargeMessageID(id.text) == id, "a derived id is a valid id")
    }
}
