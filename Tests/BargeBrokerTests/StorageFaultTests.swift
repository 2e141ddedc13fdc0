@testable import BargeBroker
import BargeBrokerTestKit
import FileIO
import KafkaProtocol
import Logging
import NIOCore
import Testing

/// The broker on a disk that fills up, fails or loses power
/// (`InMemoryFileSystem`), driven over the wire.
@Suite("The broker on a failing disk", .timeLimit(.minutes(2)))
struct StorageFaultTests {
    let helper = BrokerRoundTripTests()
    static let dataDirectory = "/data"
    static let storageError = KafkaErrorCode.kafkaStorageError.code

    /// Runs `body` with a broker whose data directory `/data` is on `fileSystem`,
    /// with `flush.messages` and the spool threshold if given.
    func withBroker(
        on fileSystem: InMemoryFileSystem, logger: Logger? = nil, flushMessages: Int64? = nil, spoolThreshold: Int? = nil,
        _ body: (EmbeddedBroker, KafkaTestClient) async throws -> Void
    ) async throws {
        let quiet = Logger(label: "barge.test", factory: { _ in SwiftLogNoOpLogHandler() })
        try await withEmbeddedBroker(
            configure: { config in
                config.dataDirectory = Self.dataDirectory
                if let flushMessages { config.topicDefaults.flushMessages = flushMessages }
                if let spoolThreshold { config.produceSpoolThresholdBytes = spoolThreshold }
            },
            keepData: true, fileSystem: fileSystem, logger: logger ?? quiet
        ) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            try await body(broker, client)
        }
    }

    func createTopic(_ client: KafkaTestClient, _ name: String, partitions: Int32 = 2) async throws -> Int16 {
        try await client.createTopic(name, partitions: partitions, version: 5).errorCode
    }

    func topicExists(_ client: KafkaTestClient, _ name: String) async throws -> Bool {
        var request = MetadataRequest()
        var wanted = MetadataRequest.MetadataRequestTopic()
        wanted.name = name
        request.topics = [wanted]
        request.allowAutoTopicCreation = false
        let metadata = try await client.request(request, apiKey: .metadata, version: 12, as: MetadataResponse.self)
        return metadata.topics.first?.errorCode == 0
    }

    func commit(_ client: KafkaTestClient, group: String, offset: Int64) async throws -> Int16 {
        try await GroupCoordinatorWireTests().commit(client, group: group, generation: -1, memberId: "", topic: "t", offset: offset, metadata: nil)
    }

    @Test("a full disk gets KAFKA_STORAGE_ERROR, logged once; the connection and fetches go on; produces work once space is freed")
    func fullDisk() async throws {
        let fileSystem = InMemoryFileSystem()
        let capture = LogCapture()
        try await withBroker(on: fileSystem, logger: capture.logger) { _, client in
            #expect(try await client.produce(topic: "full", batch: helper.batch(["kept"])).errorCode == 0)
            fileSystem.quota = fileSystem.usedBytes + 100
            for _ in 0..<3 {
                let refused = try await client.produce(topic: "full", batch: helper.batch([String(repeating: "x", count: 1_000)]))
                #expect(refused.errorCode == Self.storageError)
                #expect(refused.errorMessage?.contains("/data") == false, "files are for the operator, not the client")
            }
            let fetched = try await client.fetch(topic: "full", offset: 0)
            #expect(fetched.errorCode == 0 && fetched.highWatermark == 1)
            let logged = capture.messages.filter { $0.hasPrefix("append failed") }
            #expect(logged.count == 1, "one error per burst: \(logged)")
            #expect(capture.errors.contains { $0.contains("No space left on device") })

            fileSystem.quota = nil
            let accepted = try await client.produce(topic: "full", batch: helper.batch(["after"]))
            #expect(accepted.errorCode == 0 && accepted.baseOffset == 1)
        }
    }

    @Test("a spooled produce whose spool cannot be written is drained and answered KAFKA_STORAGE_ERROR; the connection stays")
    func spoolFailure() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem, spoolThreshold: 1_024) { _, client in
            let large = helper.batch([String(repeating: "y", count: 200_000)])
            #expect(try await client.produce(topic: "big", batch: large).errorCode == 0, "spooled when the disk works")
            fileSystem.failWrites(matching: "/.spool/", count: 1)
            let refused = try await client.produce(topic: "big", batch: large)
            #expect(refused.errorCode == Self.storageError)
            let accepted = try await client.produce(topic: "big", batch: large)
            #expect(accepted.errorCode == 0 && accepted.baseOffset == 1, "the same connection, and no offset used up")
        }
    }

    @Test("an I/O error on the log or its fsync gets KAFKA_STORAGE_ERROR and loses no acknowledged batch across a crash")
    func ioErrorsAndCrash() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem, flushMessages: 1) { _, client in
            #expect(try await client.produce(topic: "eio", batch: helper.batch(["a"])).errorCode == 0)
            fileSystem.failWrites(matching: "/eio-0/")
            #expect(try await client.produce(topic: "eio", batch: helper.batch(["b"])).errorCode == Self.storageError)
            fileSystem.failSyncs(matching: "/eio-0/")
            #expect(try await client.produce(topic: "eio", batch: helper.batch(["c"])).errorCode == Self.storageError)
            let accepted = try await client.produce(topic: "eio", batch: helper.batch(["d"]))
            #expect(accepted.errorCode == 0 && accepted.baseOffset == 1)
            fileSystem.crash()
        }
        try await withBroker(on: fileSystem) { _, client in
            let fetched = try await client.fetch(topic: "eio", offset: 0)
            #expect(fetched.errorCode == 0 && fetched.highWatermark == 2)
            let batches = try RecordBatch.split(try #require(fetched.records?.inMemoryBytes))
            let values = try batches.flatMap { try $0.records().map { String(buffer: $0.value ?? ByteBuffer()) } }
            #expect(values == ["a", "d"])
        }
    }

    @Test("OffsetCommit on a full or failing disk is refused and keeps the last stored offset, across a crash too")
    func offsetCommits() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem) { _, client in
            #expect(try await createTopic(client, "t", partitions: 1) == 0)
            #expect(try await commit(client, group: "g", offset: 10) == 0)
            fileSystem.quota = fileSystem.usedBytes
            #expect(try await commit(client, group: "g", offset: 20) == KafkaErrorCode.notCoordinator.code)
            fileSystem.quota = nil
            #expect(try await commit(client, group: "g", offset: 30) == 0)
            fileSystem.failWrites(matching: "offsets.log")
            #expect(try await commit(client, group: "g", offset: 40) == KafkaErrorCode.notCoordinator.code)
            let committed = try await GroupCoordinatorWireTests().fetchCommitted(client, group: "g", topic: "t")
            #expect(committed.committedOffset == 30)
            fileSystem.failSyncs(matching: "offsets.log")
            #expect(try await commit(client, group: "g", offset: 50) == KafkaErrorCode.notCoordinator.code)
            fileSystem.crash()
        }
        try await withBroker(on: fileSystem) { _, client in
            let committed = try await GroupCoordinatorWireTests().fetchCommitted(client, group: "g", topic: "t")
            #expect(committed.committedOffset == 30, "the last acknowledged commit, and none that was refused")
            #expect(try await commit(client, group: "g", offset: 60) == 0)
        }
    }

    @Test("CreateTopics on a full or failing disk is refused and leaves nothing half-made, across a crash too")
    func topicCreation() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem) { (_, client) async throws in
            fileSystem.quota = fileSystem.usedBytes + 10
            #expect(try await createTopic(client, "no-space") == Self.storageError)
            fileSystem.quota = nil
            fileSystem.failWrites(matching: "__topics/")
            #expect(try await createTopic(client, "no-metadata") == Self.storageError)
            fileSystem.failSyncs(matching: "__topics")
            #expect(try await createTopic(client, "unsynced") == Self.storageError)
            for name in ["no-space", "no-metadata", "unsynced"] {
                #expect(try await topicExists(client, name) == false, "\(name)")
            }
            #expect(try await createTopic(client, "made") == 0)
            fileSystem.crash()
        }
        try await withBroker(on: fileSystem) { _, client in
            #expect(try await topicExists(client, "made"))
            for name in ["no-space", "no-metadata", "unsynced"] {
                #expect(try await topicExists(client, name) == false, "\(name)")
            }
            let entries = try fileSystem.list(Self.dataDirectory)
            #expect(!entries.contains { $0.hasPrefix("no-space-") || $0.hasPrefix("no-metadata-") || $0.hasPrefix("unsynced-") }, "\(entries)")
            #expect(try fileSystem.list(Self.dataDirectory + "/__topics") == ["made.json"])
        }
    }
}
