import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import ObjectStore
import RdKafka
import ServiceLifecycle

/// Creates `topic` on `broker` with `partitions` and topic settings `configs`.
func createBridgeTopic(_ broker: EmbeddedBroker, _ topic: String, partitions: Int32 = 1, configs: [String: String] = [:]) async throws {
    let admin = try KafkaAdminClient(configuration: KafkaConnectionConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
    try await admin.createTopic(topic, partitions: partitions, configs: configs)
    await admin.close()
}

/// Runs `bridge` in a service group until `done` holds, then shuts it down gracefully.
func runBridge(_ bridge: BargeBridge, until what: String, _ done: @escaping @Sendable (BargeBridgeStatistics) -> Bool) async throws {
    let group = ServiceGroup(configuration: .init(services: [.init(service: bridge)], logger: quietLogger()))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        try await waitUntil(what, timeout: .seconds(120)) { done(bridge.statistics) }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// The first `count` messages of `topic`, read by a new group with these stores and foreign formats.
func readBridged(
    _ broker: EmbeddedBroker, _ topic: String, count: Int, interop: Set<InteropFormat> = [], stores: [any ObjectStore] = []
) async throws -> [Received] {
    var settings = LargeMessageConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: "check-\(UUID().uuidString)")
    settings.interop = interop
    settings.objectStores = stores
    let consumer = try LargeMessageConsumer(configuration: settings, logger: quietLogger())
    try consumer.subscribe(topics: [topic])
    let received = try await collectEvents(consumer, until: messageCount(count))
    await consumer.close()
    return received
}
