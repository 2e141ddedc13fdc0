import Barge
import BargeBroker
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import NIOCore
import ObjectStore
import RdKafka
import ServiceLifecycle
import Testing

@Suite("ClaimCheckJanitor against the embedded broker", .timeLimit(.minutes(3)))
struct ClaimCheckJanitorTests {
    func janitor(_ broker: EmbeddedBroker, store: any ObjectStore, grace: Duration = .zero, dryRun: Bool = false) -> ClaimCheckJanitor {
        var configuration = ClaimCheckJanitorConfiguration(bootstrapServers: [broker.bootstrapServers], store: store)
        configuration.gracePeriod = grace
        configuration.dryRun = dryRun
        return ClaimCheckJanitor(configuration: configuration, logger: quietLogger())
    }

    /// Stores an object the way a producer that died before producing its reference leaves it.
    func orphan(in store: any ObjectStore, topic: String) async throws -> String {
        let key = try ObjectKey("\(topic)/\(BargeMessageID().text)")
        _ = try await store.put(key, body: ChunkStream(testPayload(1000), piece: 1000).buffers)
        return store.location.url(of: key)
    }

    @Test("keeps referenced objects and foreign keys; deletes orphans past the grace period and objects of deleted topics; a dry run deletes nothing")
    func collects() async throws {
        try await withEmbeddedBroker { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "gc-\(UUID().uuidString)"))
            let producer = try harness.producer()
            let kept = try await producer.send(testPayload(50_000), topic: "live")
            let doomed = try await producer.send(testPayload(40_000), topic: "gone")
            try await producer.close()
            let orphan = try await orphan(in: harness.store, topic: "live")
            _ = try await harness.store.put(try ObjectKey("notes/readme.txt"), body: ChunkStream(testPayload(10), piece: 10).buffers)
            let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            try await admin.deleteTopic("gone")
            await admin.close()

            let patient = try await janitor(broker, store: harness.store, grace: .seconds(3600)).collect()
            #expect(patient.deletions.isEmpty && patient.withinGracePeriod == 2 && patient.referenced == 1 && patient.foreign == 1)

            let dry = try await janitor(broker, store: harness.store, dryRun: true).collect()
            #expect(dry.deletions.count == 2 && dry.deletions.allSatisfy { !$0.deleted } && dry.bytesCollected == 41_000)
            #expect(try await harness.storedKeys().count == 4)

            let collection = try await janitor(broker, store: harness.store).collect()
            let reasons = Dictionary(uniqueKeysWithValues: collection.deletions.map { ($0.objectURL, $0.reason) })
            #expect(reasons == [doomed.objectURL!: .topicDeleted, orphan: .orphan])
            #expect(collection.deletions.allSatisfy(\.deleted) && collection.referenced == 1 && collection.foreign == 1)
            #expect(try await harness.storedKeys() == ["live/\(kept.id.text)", "notes/readme.txt"].sorted())
        }
    }

    @Test("after retention removed a reference, its object is deleted for that reason, and only then")
    func retention() async throws {
        try await withEmbeddedBroker(configure: { $0.retentionCheckIntervalMs = 200 }) { broker in
            let harness = ClaimCheckHarness(broker: broker, store: MemoryObjectStore(name: "ret-\(UUID().uuidString)"))
            // Retention by size, so that only the records written below decide when the reference goes.
            let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            try await admin.createTopic("short", partitions: 1, configs: ["retention.bytes": "6000", "segment.bytes": "4096"])
            await admin.close()
            let producer = try harness.producer()
            let receipt = try await producer.send(testPayload(30_000), topic: "short")
            let early = try await janitor(broker, store: harness.store).collect()
            #expect(early.deletions.isEmpty && early.referenced == 1)

            // Plain records in segments of their own push the reference's segment past retention.bytes.
            let raw = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
            for _ in 0..<3 { _ = try await raw.send(KafkaProducerMessage(topic: "short", partition: 0, key: nil, value: testPayload(3000), headers: [])) }
            try await raw.close()
            try await producer.close()
            let watcher = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "w"), logger: quietLogger())
            try await waitUntil("retention removed the reference's segment") {
                try await watcher.watermarks(of: KafkaTopicPartition(topic: "short", partition: 0)).low > receipt.firstOffset
            }
            await watcher.close()
            let late = try await janitor(broker, store: harness.store).collect()
            #expect(late.deletions.map(\.objectURL) == [receipt.objectURL!])
            #expect(late.deletions.first?.reason == .retention && late.deletions.first?.deleted == true)
            #expect(try await harness.storedKeys().isEmpty)
        }
    }

    @Test("as a service, the janitor collects every interval and stops on a graceful shutdown")
    func service() async throws {
        try await withEmbeddedBroker { broker in
            let store = MemoryObjectStore(name: "svc-\(UUID().uuidString)")
            let producer = try ClaimCheckHarness(broker: broker, store: store).producer()
            _ = try await producer.send(testPayload(1000), topic: "svc")
            try await producer.close()
            let orphan = try await orphan(in: store, topic: "svc")
            var configuration = ClaimCheckJanitorConfiguration(bootstrapServers: [broker.bootstrapServers], store: store)
            configuration.gracePeriod = .zero
            configuration.interval = .milliseconds(200)
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(
                services: [ClaimCheckJanitor(configuration: configuration, logger: quietLogger())], logger: quietLogger()
            ))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await waitUntil("the janitor deleted the orphan") { store.count(of: .delete) > 0 }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            var left: [String] = []
            for try await object in store.list(prefix: "") { left.append(store.location.url(of: object.key)) }
            #expect(left.count == 1 && !left.contains(orphan), "the orphan went, the referenced object stayed")
            #expect(store.count(of: .list) >= 1)
        }
    }
}
