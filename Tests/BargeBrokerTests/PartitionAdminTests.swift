import BargeBroker
import BargeBrokerTestKit
import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// DeleteRecords and CreatePartitions over the wire.
@Suite("DeleteRecords and CreatePartitions", .timeLimit(.minutes(2)))
struct PartitionAdminTests {
    @Test("DeleteRecords moves the log start offset; -1 is the high watermark; beyond the end is OFFSET_OUT_OF_RANGE", arguments: [Int16(0), 1, 2])
    func deleteRecords(version: Int16) async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            for _ in 0..<3 { #expect(try await client.produce(topic: "t", batch: TopicConfigAlterTests.batch(3)).errorCode == 0) }
            var result = try await client.deleteRecords("t", before: 4, version: version)
            #expect(result.errorCode == 0)
            #expect(result.lowWatermark == 4)
            result = try await client.deleteRecords("t", before: 2, version: version)
            #expect(result.errorCode == 0)
            #expect(result.lowWatermark == 4, "the log start never moves back")
            result = try await client.deleteRecords("t", before: 10, version: version)
            #expect(result.errorCode == KafkaErrorCode.offsetOutOfRange.code)
            #expect(result.lowWatermark == -1)
            result = try await client.deleteRecords("t", before: -7, version: version)
            #expect(result.errorCode == KafkaErrorCode.offsetOutOfRange.code)
            result = try await client.deleteRecords("t", before: -1, version: version)
            #expect(result.errorCode == 0)
            #expect(result.lowWatermark == 9)
            let produced = try await client.produce(topic: "t", batch: TopicConfigAlterTests.batch(1))
            #expect(produced.baseOffset == 9)
            #expect(produced.logStartOffset == 9)
            #expect(try await client.deleteRecords("t", partition: 5, before: 0, version: version).errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
            #expect(try await client.deleteRecords("nope", before: 0, version: version).errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
        }
    }

    @Test("CreatePartitions grows a topic, never shrinks it, and checks assignments", arguments: [Int16(0), 1, 2, 3])
    func createPartitions(version: Int16) async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t", partitions: 2)
            var result = try await client.createPartitions("t", count: 4, validateOnly: true, version: version)
            #expect(result.errorCode == 0)
            #expect(try await client.partitionCount("t") == 2, "validateOnly changes nothing")
            result = try await client.createPartitions("t", count: 4, version: version)
            #expect(result.errorCode == 0, "\(result.errorMessage ?? "")")
            #expect(result.errorMessage == nil)
            #expect(try await client.partitionCount("t") == 4)
            var produce = ProduceRequest.single(topic: "t", batch: TopicConfigAlterTests.batch(1))
            produce.topicData[0].partitionData[0].index = 3
            let produced = try await client.request(produce, apiKey: .produce, version: 9, as: ProduceResponse.self)
            #expect(produced.responses.first?.partitionResponses.first?.errorCode == 0)

            result = try await client.createPartitions("t", count: 4, version: version)
            #expect(result.errorCode == KafkaErrorCode.invalidPartitions.code)
            #expect(result.errorMessage == "Topic already has 4 partitions.")
            result = try await client.createPartitions("t", count: 3, version: version)
            #expect(result.errorCode == KafkaErrorCode.invalidPartitions.code)
            #expect(result.errorMessage == "Topic currently has 4 partitions, which is higher than the requested 3.")
            result = try await client.createPartitions("t", count: 6, assignments: [[1], [2]], version: version)
            #expect(result.errorCode == 39)
            result = try await client.createPartitions("t", count: 6, assignments: [[1]], version: version)
            #expect(result.errorCode == 39)
            result = try await client.createPartitions("t", count: 6, assignments: [[1], [1]], version: version)
            #expect(result.errorCode == 0, "\(result.errorMessage ?? "")")
            result = try await client.createPartitions("t", count: 200_000, version: version)
            #expect(result.errorCode == KafkaErrorCode.invalidPartitions.code)
            result = try await client.createPartitions("nope", count: 2, version: version)
            #expect(result.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
            #expect(try await client.partitionCount("t") == 6)
        }
    }

    @Test("a topic named twice in one CreatePartitions gets INVALID_REQUEST")
    func duplicateTopics() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            var topic = CreatePartitionsRequest.CreatePartitionsTopic()
            topic.name = "t"
            topic.count = 2
            topic.assignments = nil
            var request = CreatePartitionsRequest()
            request.topics = [topic, topic]
            let response = try await client.request(request, apiKey: .createPartitions, version: 3, as: CreatePartitionsResponse.self)
            #expect(response.results.map(\.errorCode) == [KafkaErrorCode.invalidRequest.code, KafkaErrorCode.invalidRequest.code])
            #expect(try await client.partitionCount("t") == 1)
        }
    }
}
