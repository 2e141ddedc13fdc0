import BargeBroker
import BargeBrokerTestKit
import FileIO
import KafkaProtocol
import Logging
import NIOCore
import Testing

/// The transaction coordinator on a disk that fails (`InMemoryFileSystem`):
/// a commit whose markers cannot be written is decided all the same, and
/// completes once the disk works again, also after a power cut.
@Suite("Transactions on a failing disk", .timeLimit(.minutes(2)))
struct TransactionFaultTests {
    let wire = TransactionWireTests()

    func withBroker(on fileSystem: InMemoryFileSystem, flushMessages: Int64 = 1, _ body: (KafkaTestClient) async throws -> Void) async throws {
        try await withEmbeddedBroker(
            configure: { config in
                config.dataDirectory = "/data"
                config.topicDefaults.flushMessages = flushMessages
                config = try! config.applying([("transaction.abort.timed.out.transaction.cleanup.interval.ms", "50")])
            },
            keepData: true, fileSystem: fileSystem, logger: Logger(label: "barge.test", factory: { _ in SwiftLogNoOpLogHandler() })
        ) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            try await body(client)
        }
    }

    /// Starts a transaction that wrote "decided" to partition 0 of `topic`.
    func openTransaction(_ client: KafkaTestClient, topic: String) async throws -> TransactionWireTests.Producer {
        _ = try await client.createTopic(topic)
        let (_, producer) = try await wire.initProducer(client, "tx")
        _ = try await wire.addPartitions(client, "tx", producer, [(topic, 0)])
        #expect(try await wire.produce(client, topic: topic, batch: wire.transactionalBatch(["decided"], producer, sequence: 0), transactionalId: "tx") == 0)
        return producer
    }

    func waitForStable(_ client: KafkaTestClient, topic: String) async throws -> FetchResponse.PartitionData {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let read = try await wire.fetch(client, topic: topic, readCommitted: true)
            if read.lastStableOffset == read.highWatermark || ContinuousClock.now > deadline { return read }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test("markers that fail to write are retried until the commit completes")
    func markersRetried() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem) { client in
            let producer = try await openTransaction(client, topic: "retried")
            fileSystem.failWrites(matching: "retried-0/", count: 3)
            #expect(try await wire.endTxn(client, "tx", producer, commit: true) == 0, "the decision is durable, so the commit is answered")
            let read = try await waitForStable(client, topic: "retried")
            #expect(try wire.values(read) == ["decided"] && read.lastStableOffset == 2)
        }
    }

    @Test("a commit decided before a power cut completes after the restart")
    func commitSurvivesPowerCut() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem) { client in
            let producer = try await openTransaction(client, topic: "decided")
            fileSystem.failWrites(matching: "decided-0/", count: 1_000_000)
            #expect(try await wire.endTxn(client, "tx", producer, commit: true) == 0)
            #expect(try await wire.fetch(client, topic: "decided", readCommitted: true).lastStableOffset == 0, "no marker yet")
            fileSystem.clearFaults()
            fileSystem.crash()
        }
        try await withBroker(on: fileSystem) { client in
            let read = try await waitForStable(client, topic: "decided")
            #expect(try wire.values(read) == ["decided"] && read.lastStableOffset == 2 && read.abortedTransactions == [])
        }
    }

    @Test("a commit whose marker a power cut took is committed again at the next start")
    func lostMarkerRepaired() async throws {
        let fileSystem = InMemoryFileSystem()
        // Two records per fsync: the transaction's record and its marker together reach the disk only at the next one.
        try await withBroker(on: fileSystem, flushMessages: 2) { client in
            _ = try await client.createTopic("lost")
            let (_, producer) = try await wire.initProducer(client, "tx")
            _ = try await wire.addPartitions(client, "tx", producer, [("lost", 0)])
            #expect(try await wire.produce(client, topic: "lost", batch: wire.transactionalBatch(["kept", "too"], producer, sequence: 0),
                                           transactionalId: "tx") == 0)
            #expect(try await wire.endTxn(client, "tx", producer, commit: true) == 0)
            #expect(try await wire.fetch(client, topic: "lost", readCommitted: true).lastStableOffset == 3)
            fileSystem.crash()
        }
        try await withBroker(on: fileSystem, flushMessages: 2) { client in
            let read = try await waitForStable(client, topic: "lost")
            #expect(try wire.values(read) == ["kept", "too"] && read.highWatermark == 3 && read.abortedTransactions == [])
        }
    }

    @Test("a transaction state log that cannot be written refuses the change, and the transaction goes on once it can")
    func stateLogFailure() async throws {
        let fileSystem = InMemoryFileSystem()
        try await withBroker(on: fileSystem) { client in
            let producer = try await openTransaction(client, topic: "state")
            fileSystem.failWrites(matching: "transactions.log", count: 1)
            #expect(try await wire.endTxn(client, "tx", producer, commit: true) == KafkaErrorCode.coordinatorNotAvailable.code)
            #expect(try await wire.endTxn(client, "tx", producer, commit: true) == 0, "a retry succeeds")
            #expect(try wire.values(try await waitForStable(client, topic: "state")) == ["decided"])
        }
    }
}
