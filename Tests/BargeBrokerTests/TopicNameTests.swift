import BargeBroker
import BargeBrokerTestKit
import Foundation
import KafkaProtocol
import NIOCore
import Testing

@Suite("Topic names are checked as Kafka checks them, and topics leave no debris", .timeLimit(.minutes(2)))
struct TopicNameTests {
    let helper = BrokerRoundTripTests()

    func create(_ client: KafkaTestClient, _ name: String, partitions: Int32 = 1) async throws -> CreateTopicsResponse.CreatableTopicResult {
        try await client.createTopic(name, partitions: partitions)
    }

    func contents(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test("names of 247 to 249 characters work and survive a restart; 250 is INVALID_TOPIC_EXCEPTION")
    func longNames() async throws {
        let names = (247...249).map { String(repeating: "n", count: $0 - 2) + "-\($0 % 10)" }
        let directory = try await withEmbeddedBroker(keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            for name in names {
                let created = try await create(client, name, partitions: 2)
                #expect(created.errorCode == 0, "\(name.count): \(String(describing: created.errorMessage))")
                let produced = try await client.produce(topic: name, batch: helper.batch(["long"]))
                #expect(produced.errorCode == 0)
            }
            let tooLong = try await create(client, String(repeating: "x", count: 250))
            #expect(tooLong.errorCode == KafkaErrorCode.invalidTopicException.code)
            #expect(contents(broker.dataDirectory + "/__topics").allSatisfy { !$0.hasPrefix(".tmp-") })
            return broker.dataDirectory
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            for name in names {
                let fetched = try await client.fetch(topic: name, offset: 0)
                #expect(fetched.errorCode == 0)
                #expect(fetched.highWatermark == 1, "\(name.count) characters")
            }
        }
    }

    @Test("clients may not create, auto-create or produce to Kafka's internal topics")
    func internalTopics() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            for name in ["__consumer_offsets", "__transaction_state"] {
                let created = try await create(client, name)
                #expect(created.errorCode == KafkaErrorCode.invalidTopicException.code)
                let produced = try await client.produce(topic: name, batch: helper.batch(["forged offset commit"]))
                #expect(produced.errorCode == KafkaErrorCode.invalidTopicException.code)
                #expect(produced.errorMessage == "cannot append to internal topic \(name)")
                var request = MetadataRequest()
                var topic = MetadataRequest.MetadataRequestTopic()
                topic.name = name
                request.topics = [topic]
                request.allowAutoTopicCreation = true
                let metadata = try await client.request(request, apiKey: .metadata, version: 12, as: MetadataResponse.self)
                #expect(metadata.topics.first?.errorCode == KafkaErrorCode.invalidTopicException.code)
            }
            #expect(!contents(broker.dataDirectory).contains { $0.hasPrefix("__consumer_offsets-") || $0.hasPrefix("__transaction_state-") })
        }
    }

    @Test("a name that collides with an existing one ('.' and '_' alike) is INVALID_TOPIC_EXCEPTION")
    func collisions() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            #expect(try await create(client, "orders.eu").errorCode == 0)
            let clash = try await create(client, "orders_eu")
            #expect(clash.errorCode == KafkaErrorCode.invalidTopicException.code)
            #expect(clash.errorMessage?.contains("orders.eu") == true)
        }
    }

    @Test("a failed creation leaves nothing on disk and its message names no path")
    func failedCreationLeavesNothing() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            // The metadata file cannot be renamed into place: a directory has its name.
            try FileManager.default.createDirectory(atPath: broker.dataDirectory + "/__topics/blocked.json", withIntermediateDirectories: false)
            let failed = try await create(client, "blocked", partitions: 3)
            #expect(failed.errorCode == KafkaErrorCode.kafkaStorageError.code)
            let message = try #require(failed.errorMessage)
            #expect(!message.contains("/"), "\(message)")
            #expect(!message.contains(broker.dataDirectory))
            #expect(!contents(broker.dataDirectory).contains { $0.hasPrefix("blocked-") })
            #expect(contents(broker.dataDirectory + "/__topics") == ["blocked.json"])
            // A file where a partition directory would go: refused, and left alone.
            #expect(FileManager.default.createFile(atPath: broker.dataDirectory + "/squatted-0", contents: Data("not mine".utf8)))
            let squatted = try await create(client, "squatted")
            #expect(squatted.errorCode == KafkaErrorCode.kafkaStorageError.code)
            #expect(squatted.errorMessage?.contains("/") == false)
            #expect(FileManager.default.contents(atPath: broker.dataDirectory + "/squatted-0") == Data("not mine".utf8))
            // Nothing is left to mislead a later start either.
            #expect(contents(broker.dataDirectory + "/__topics").allSatisfy { !$0.hasPrefix(".tmp-") })
        }
    }

    @Test("at start, a partition directory of no topic is removed if empty and moved to .stray/ if it holds data")
    func strayDirectories() async throws {
        let directory = try await withEmbeddedBroker(keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.produce(topic: "ghost", batch: helper.batch(["old data"]))
            return broker.dataDirectory
        }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The metadata is lost; an interrupted creation left an empty directory.
        try FileManager.default.removeItem(atPath: directory + "/__topics/ghost.json")
        try FileManager.default.createDirectory(atPath: directory + "/phantom-0", withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: directory + "/phantom-0/00000000000000000000.log", contents: Data())
        FileManager.default.createFile(atPath: directory + "/__topics/phantom.json.tmp", contents: Data("{".utf8))
        FileManager.default.createFile(atPath: directory + "/__topics/.tmp-abc123", contents: Data("{".utf8))
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }) { broker in
            let names = contents(directory)
            #expect(!names.contains("phantom-0"))
            #expect(!names.contains("ghost-0"))
            #expect(contents(directory + "/.stray") == ["ghost-0"])
            #expect(contents(directory + "/__topics") == [])
            // A new topic of the same name starts empty: it does not adopt the old data.
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let produced = try await client.produce(topic: "ghost", batch: helper.batch(["new"]))
            #expect(produced.baseOffset == 0)
        }
    }
}
