import BargeBroker
@_exported import BargeBrokerTestKit
import Foundation
import Logging
import RdKafka

/// An embedded broker tuned for client tests: no initial rebalance delay,
/// plus any extra broker properties.
func withTestBroker<Result: Sendable>(
    _ properties: [(key: String, value: String)] = [],
    _ body: (EmbeddedBroker) async throws -> Result
) async throws -> Result {
    try await withEmbeddedBroker(configure: { config in
        config = try! config.applying([(key: "group.initial.rebalance.delay.ms", value: "0")] + properties)
    }, body)
}

/// Quiet loggers for clients under test; `BARGE_TEST_LOG=debug` shows them.
func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = ProcessInfo.processInfo.environment["BARGE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return logger
}

func producerConfiguration(_ broker: EmbeddedBroker) -> KafkaProducerConfiguration {
    var configuration = KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
    configuration.linger = .milliseconds(1)
    return configuration
}

func consumerConfiguration(_ broker: EmbeddedBroker, group: String = "group-\(UUID().uuidString)") -> KafkaConsumerConfiguration {
    var configuration = KafkaConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group)
    configuration.autoOffsetReset = .earliest
    configuration.enableAutoCommit = false
    configuration.sessionTimeout = .seconds(6)
    configuration.heartbeatInterval = .milliseconds(500)
    return configuration
}

/// Creates `topic` with `partitions` through the admin client.
func createTopic(_ broker: EmbeddedBroker, _ topic: String, partitions: Int32 = 1, configs: [String: String] = [:]) async throws {
    let admin = try KafkaAdminClient(
        configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]),
        logger: testLogger("admin")
    )
    defer { Task { await admin.close() } }
    try await admin.createTopic(topic, partitions: partitions, configs: configs)
}

/// Reads `count` messages, or throws after `timeout`.
func collect(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(30)) async throws -> [KafkaConsumerMessage] {
    try await withTimeout(timeout) {
        var messages: [KafkaConsumerMessage] = []
        guard count > 0 else { return messages }
        for try await message in consumer.messages {
            messages.append(message)
            if messages.count == count { break }
        }
        return messages
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    let duration: Duration
    var description: String { "timed out after \(duration)" }
}

/// Runs `body`, cancelling it and throwing `TestTimeout` after `duration`.
func withTimeout<Result: Sendable>(_ duration: Duration, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw TestTimeout(duration: duration)
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}

/// Waits until `condition` holds, checking every 50 ms, or throws after `timeout`.
func eventually(_ timeout: Duration = .seconds(30), _ condition: @escaping @Sendable () async throws -> Bool) async throws {
    try await withTimeout(timeout) {
        while try await !condition() { try await Task.sleep(for: .milliseconds(50)) }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// An embedded broker passed into nested helpers.
struct EmbeddedBrokerRef: Sendable {
    let broker: EmbeddedBroker
}
