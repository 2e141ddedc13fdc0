@testable import BargeBroker
import BargeBrokerTestKit
import FileIO
import KafkaProtocol
import Testing

/// Config changes and added partitions on a failing disk: refused with
/// KAFKA_STORAGE_ERROR, nothing half-applied, across a power cut too.
@Suite("Topic changes on a failing disk", .timeLimit(.minutes(2)))
struct TopicChangeStorageFaultTests {
    let faults = StorageFaultTests()

    @Test("a config change whose metadata write or fsync fails is not applied, before or after a crash")
    func configChange() async throws {
        let fileSystem = InMemoryFileSystem()
        try await faults.withBroker(on: fileSystem) { (_, client) async throws in
            #expect(try await faults.createTopic(client, "t", partitions: 1) == 0)
            fileSystem.failWrites(matching: "__topics/")
            var result = try await client.incrementalAlter("t", [.set("retention.ms", "1000")])
            #expect(result.errorCode == StorageFaultTests.storageError)
            #expect(result.errorMessage?.contains("/data") == false, "no path in messages to clients")
            fileSystem.failSyncs(matching: "__topics")
            result = try await client.incrementalAlter("t", [.set("retention.ms", "2000")])
            #expect(result.errorCode == StorageFaultTests.storageError)
            #expect(try await client.describeTopicConfigs("t")["retention.ms"]?.value == "604800000")
            result = try await client.incrementalAlter("t", [.set("segment.ms", "3000")])
            #expect(result.errorCode == 0)
            fileSystem.crash()
        }
        try await faults.withBroker(on: fileSystem) { (_, client) async throws in
            let configs = try await client.describeTopicConfigs("t")
            #expect(configs["retention.ms"]?.value == "604800000")
            #expect(configs["segment.ms"]?.value == "3000", "the acknowledged change survives the power cut")
        }
    }

    @Test("added partitions whose metadata write fails are removed; acknowledged ones survive a crash")
    func addedPartitions() async throws {
        let fileSystem = InMemoryFileSystem()
        try await faults.withBroker(on: fileSystem) { (_, client) async throws in
            #expect(try await faults.createTopic(client, "t", partitions: 2) == 0)
            fileSystem.failWrites(matching: "__topics/")
            #expect(try await client.createPartitions("t", count: 4).errorCode == StorageFaultTests.storageError)
            #expect(try await client.partitionCount("t") == 2)
            #expect(!fileSystem.exists("/data/t-2") && !fileSystem.exists("/data/t-3"), "the new directories are gone")
            fileSystem.failSyncs(matching: "__topics")
            #expect(try await client.createPartitions("t", count: 5).errorCode == StorageFaultTests.storageError)
            #expect(try await client.partitionCount("t") == 2)
            #expect(try await client.createPartitions("t", count: 3).errorCode == 0)
            fileSystem.crash()
        }
        try await faults.withBroker(on: fileSystem) { (_, client) async throws in
            #expect(try await client.partitionCount("t") == 3)
            #expect(!fileSystem.exists("/data/t-3") && !fileSystem.exists("/data/t-4"), "no directory of a refused change is left")
            #expect(try await client.createPartitions("t", count: 5).errorCode == 0)
            #expect(try await client.partitionCount("t") == 5)
        }
    }
}
