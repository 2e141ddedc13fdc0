import BargeBroker
import BargeBrokerTestKit
import FileIO
import Foundation
import KafkaProtocol
import Logging
import Testing

@Suite("One broker per data directory", .timeLimit(.minutes(2)))
struct DataDirectoryLockTests {
    let quiet = Logger(label: "barge.test", factory: { _ in SwiftLogNoOpLogHandler() })

    func config(_ dataDirectory: String) -> BrokerConfig {
        var config = BrokerConfig()
        config.listenHost = "127.0.0.1"
        config.listenPort = 0
        config.dataDirectory = dataDirectory
        return config
    }

    @Test("a second broker on a running broker's data directory is refused, and starts once the first has stopped")
    func secondBrokerRefused() async throws {
        let directory = NSTemporaryDirectory() + "barge-lock-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }, keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await client.createTopic("kept").errorCode == 0)
            await client.close()
            let error = await #expect(throws: BrokerConfigError.self) {
                _ = try await KafkaBrokerServer.start(config: config(directory), logger: quiet)
            }
            #expect(error?.description == "the data directory \(directory) is in use: a running broker holds \(directory)/.lock")
            let produced = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await produced.close() } }
            #expect(try await produced.produce(topic: "kept", batch: BrokerRoundTripTests().batch(["still served"])).errorCode == 0,
                    "the first broker goes on")
        }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }, keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            #expect(try await client.fetch(topic: "kept", offset: 0).highWatermark == 1)
        }
    }

    @Test("users are changed offline only while no broker runs on the directory; listing them is always allowed")
    func offlineUsersNeedAStoppedBroker() async throws {
        let directory = NSTemporaryDirectory() + "barge-lock-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try ScramUsers.setPassword(user: "alice", password: "ecila", dataDirectory: directory)
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }, keepData: true) { _ in
            let error = #expect(throws: BrokerConfigError.self) {
                try ScramUsers.setPassword(user: "bob", password: "bob", dataDirectory: directory)
            }
            #expect(error?.description.contains("barge users with --bootstrap-servers") == true)
            #expect(throws: BrokerConfigError.self) { try ScramUsers.delete(user: "alice", dataDirectory: directory) }
            let users = try ScramUsers.list(dataDirectory: directory)
            #expect(Set(users.keys) == ["alice"])
        }
        let deleted = try ScramUsers.delete(user: "alice", dataDirectory: directory)
        let left = try ScramUsers.list(dataDirectory: directory)
        #expect(deleted && left.isEmpty)
    }

    @Test("a crash gives the lock up, as a killed process's flock goes with it")
    func crashReleases() throws {
        let fileSystem = InMemoryFileSystem()
        let first = try DataDirectoryLock.acquire("/data", fileSystem: fileSystem)
        #expect(throws: BrokerConfigError.self) { try DataDirectoryLock.acquire("/data", fileSystem: fileSystem) }
        fileSystem.crash()
        let again = try DataDirectoryLock.acquire("/data", fileSystem: fileSystem)
        #expect(throws: BrokerConfigError.self) { try DataDirectoryLock.acquire("/data", fileSystem: fileSystem) }
        again.release()
        try DataDirectoryLock.acquire("/data", fileSystem: fileSystem).release()
        withExtendedLifetime(first) {}
    }

    @Test("a data directory that cannot be made is a typed error naming it")
    func unusableDirectory() throws {
        let fileSystem = InMemoryFileSystem()
        try fileSystem.writeAtomically(Array("a file".utf8), to: "/taken")
        let error = #expect(throws: BrokerConfigError.self) { try DataDirectoryLock.acquire("/taken", fileSystem: fileSystem) }
        #expect(error?.description.hasPrefix("cannot lock the data directory /taken") == true)
    }
}
