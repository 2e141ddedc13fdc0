import Barge
import BargeBrokerTestKit
import BargeRdKafka
import FileIO
import Foundation
import RdKafka
import Testing

@Suite("The consumer's spill on a full disk", .timeLimit(.minutes(3)))
struct SpillFaultTests {
    @Test("a payload that cannot be spilled is a typed failure event, never a partial message; later messages arrive; commits stop before it")
    func spillOnFullDisk() async throws {
        try await withEmbeddedBroker { broker in
            let large = testPayload(1_000_000, seed: 1)
            let small = testPayload(900, seed: 2)
            let largeRecords = chunkRecords(large, chunkSize: 32 << 10)
            try await write(largeRecords + chunkRecords(small, chunkSize: 1000), topic: "spill-full", broker: broker)

            let fileSystem = InMemoryFileSystem(quota: 64 << 10)
            try fileSystem.makeDirectories("/spill")
            let group = "spill-\(UUID().uuidString)"
            var settings = LargeMessageConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group)
            settings.memoryBudget = 100 << 10
            settings.spillDirectory = "/spill"
            settings.fileSystem = fileSystem
            let consumer = try LargeMessageConsumer(configuration: settings, logger: quietLogger())
            try consumer.subscribe(topics: ["spill-full"])
            let received = try await collectEvents(consumer, until: messageCount(1))
            try await consumer.commit()
            await consumer.close()

            let failure = try #require(received.first?.failure, "the large payload's failure comes first: \(received)")
            #expect(failure.kind == .storage && failure.id == largeRecords[0].0.id)
            #expect("\(failure)".contains("No space left on device"))
            #expect(!"\(failure)".contains("storage: storage"), "not wrapped twice: \(failure)")
            #expect(received.compactMap(\.payload) == [small], "only the small payload is delivered")
            #expect(fileSystem.usedBytes == 0, "spill files are gone once closed")

            let raw = try KafkaConsumer(configuration: KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group), logger: quietLogger())
            let committed = try await raw.committed([KafkaTopicPartition(topic: "spill-full", partition: 0)])
            await raw.close()
            #expect((committed.first?.offset ?? 0) <= 0, "no commit past the failed payload: \(committed)")
        }
    }
}
