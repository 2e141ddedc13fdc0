import Barge
import BargeRdKafka
import Foundation
import Logging
import ObjectStore
import RdKafka

/// What every use case of the demo shares: the broker's address, quiet
/// logging, and producers, consumers and topics made with the tools' settings.
struct DemoEnvironment: Sendable {
    let bootstrapServers: String
    /// Multiplies every use case's volume (1 = the full demo).
    let scale: Double
    let logger: Logger

    func scaled(_ value: Int, minimum: Int = 1) -> Int {
        max(minimum, Int(Double(value) * scale))
    }

    func producer(policy: LargeMessagePolicy, compression: BargeCompression = .none, objectStore: (any ObjectStore)? = nil) throws -> LargeMessageProducer {
        var settings = LargeMessageProducerConfiguration(bootstrapServers: [bootstrapServers])
        settings.policy = policy
        settings.compression = compression
        settings.objectStore = objectStore
        settings.producer.connection.clientID = "barge-demo"
        ToolDefaults.apply(to: &settings.producer, chunkSize: policy.chunkSize)
        return try LargeMessageProducer(configuration: settings, logger: logger)
    }

    func consumer(
        group: String, delivery: LargeMessageConsumerConfiguration.Delivery = .whenComplete, objectStores: [any ObjectStore] = []
    ) throws -> LargeMessageConsumer {
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: [bootstrapServers], groupID: group)
        settings.delivery = delivery
        settings.objectStores = objectStores
        settings.consumer.connection.clientID = "barge-demo"
        settings.consumer.heartbeatInterval = .milliseconds(500)
        ToolDefaults.apply(to: &settings.consumer)
        return try LargeMessageConsumer(configuration: settings, logger: logger)
    }

    /// Creates `name` with `partitions` partitions and topic settings `configs`.
    func createTopic(_ name: String, partitions: Int32, configs: [String: String] = [:]) async throws {
        let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [bootstrapServers]), logger: logger)
        defer { Task { await admin.close() } }
        try await admin.createTopic(name, partitions: partitions, replicationFactor: 1, configs: configs)
    }

    /// Waits (at most 30 s) until the group's members hold `partitions`
    /// partitions between them, so the figures do not count the group join.
    func waitForAssignment(_ consumers: [LargeMessageConsumer], partitions: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            var assigned = 0
            for consumer in consumers { assigned += try await consumer.assignment().count }
            if assigned == partitions { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `consumers` readers until `tally` has `count` payloads (or
    /// `timeout` passes), then closes them.
    func consume(
        _ consumers: [LargeMessageConsumer], until count: Int, tally: DemoTally, timeout: Duration = .seconds(600),
        handle: @escaping @Sendable (BargeMessage, Int) async throws -> Void
    ) async {
        await consume(consumers, until: { await tally.receivedCount >= count }, tally: tally, timeout: timeout, handle: handle)
    }

    /// Runs `consumers` readers until `done` says so (or `timeout` passes),
    /// then closes them.
    func consume(
        _ consumers: [LargeMessageConsumer], until done: @escaping @Sendable () async -> Bool, tally: DemoTally,
        timeout: Duration = .seconds(600), handle: @escaping @Sendable (BargeMessage, Int) async throws -> Void
    ) async {
        let readers = consumers.enumerated().map { index, consumer in
            Task {
                do {
                    for try await event in consumer.events {
                        switch event {
                        case .message(let message): try await handle(message, index)
                        case .failure(let error): await tally.failed("\(error)")
                        }
                    }
                } catch is CancellationError {
                } catch {
                    if !Task.isCancelled { await tally.failed("consumer \(index): \(error)") }
                }
            }
        }
        let deadline = ContinuousClock.now + timeout
        while !Task.isCancelled, await !done(), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if await !done() { await tally.failed("timed out after \(timeout) with \(await tally.receivedCount) payloads") }
        for reader in readers { reader.cancel() }
        for reader in readers { await reader.value }
        for consumer in consumers { await consumer.close() }
    }
}
