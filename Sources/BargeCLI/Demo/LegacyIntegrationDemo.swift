import Barge
import BargeRdKafka
import Foundation
import ObjectStore
import RdKafka
import ServiceLifecycle

/// Use case 7, legacy integration: a legacy producer that cannot change
/// (plain librdkafka, as kcat or confluent-kafka would, no Barge) writes
/// proprietary files of 20 to 50 MB into a raw topic with a raised record
/// limit; the bridge externalizes them into claim checks in a file-system
/// store; a Barge consumer reads them verified. The raw topic's retention
/// can be short: once bridged, its copies are not needed.
struct LegacyIntegrationDemo {
    let environment: DemoEnvironment
    /// The claim-check store's directory.
    let storeRoot: String
    static let rawTopic = "legacy-files-raw"
    static let topic = "legacy-files"
    static let recordLimit = 64 << 20

    func run() async throws -> DemoResult {
        let count = environment.scaled(12, minimum: 2)
        let store = try FileSystemObjectStore(root: storeRoot)
        try await environment.createTopic(Self.rawTopic, partitions: 1, configs: ["max.message.bytes": "\(Self.recordLimit)", "retention.ms": "600000"])
        try await environment.createTopic(Self.topic, partitions: 1)
        let tally = DemoTally()
        let started = ContinuousClock.now
        let bridge = BargeBridge(configuration: bridgeConfiguration(store: store), logger: environment.logger)
        let bridging = ServiceGroup(configuration: .init(services: [.init(service: bridge)], logger: environment.logger))
        async let bridged: Void = bridging.run()
        let bytes = try await produceLegacyFiles(count: count, tally: tally)
        let consumer = try environment.consumer(group: "legacy-reader", objectStores: [store])
        try consumer.subscribe(topics: [Self.topic])
        await environment.consume([consumer], until: count, tally: tally) { message, _ in
            for try await _ in message.payload {}
            await tally.received(message.verifiedInfo ?? message.info)
        }
        let seconds = (ContinuousClock.now - started).seconds
        await bridging.triggerGracefulShutdown()
        try await bridged
        let moved = bridge.statistics
        var notes = [
            "a plain librdkafka producer wrote \(count) files of 20-50 MB to \(Self.rawTopic) (max.message.bytes \(Self.recordLimit >> 20) MiB)",
            "the bridge externalized \(moved.movedRecords) of \(moved.records) records (\(DemoTable.megabytes(moved.movedBytes))) into claim checks, exactly once",
        ]
        if moved.movedRecords != count { await tally.failed("the bridge moved \(moved.movedRecords) records, not \(count)") }
        notes += await tally.failures
        return DemoResult(
            useCase: "legacy integration", strategy: "bridge to claim checks", payloads: count, bytes: bytes,
            seconds: seconds, peakRSS: nil, verified: await tally.allVerified, notes: notes
        )
    }

    private func bridgeConfiguration(store: FileSystemObjectStore) -> BargeBridgeConfiguration {
        var options = LargeMessageProducerOptions()
        options.policy = .claimCheck
        options.objectStore = store
        var configuration = BargeBridgeConfiguration(
            bootstrapServers: [environment.bootstrapServers], groupID: "legacy-bridge", source: Self.rawTopic, target: Self.topic,
            mode: .externalize(BridgeExternalizeOptions(threshold: 1 << 20, producer: options)))
        configuration.consumer.connection.clientID = "barge-demo"
        configuration.consumer.heartbeatInterval = .milliseconds(500)
        return configuration
    }

    /// Writes `count` files as plain records (no Barge headers), noting each
    /// one under the id the bridge derives from its offset.
    private func produceLegacyFiles(count: Int, tally: DemoTally) async throws -> Int64 {
        var settings = KafkaProducerConfiguration(bootstrapServers: [environment.bootstrapServers])
        settings.connection.clientID = "legacy-app"
        settings.connection.messageMaxBytes = Self.recordLimit
        let producer = try KafkaProducer(configuration: settings, logger: environment.logger)
        var bytes = SyntheticBytes(seed: 7)
        var total: Int64 = 0
        for index in 0..<count {
            let file = bytes.next(bytes.number(in: 20_000_000...50_000_000))
            let report = try await producer.send(KafkaProducerMessage(
                topic: Self.rawTopic, partition: 0, key: Array("trade-archive-\(index).dat".utf8), value: file,
                headers: [KafkaHeader(key: "app", string: "settlement-engine")]
            ))
            guard let offset = report.offset else { throw CommandFailure("the legacy producer got no offset for file \(index)") }
            await tally.sent(id: BargeMessageID(derivedFrom: "\(Self.rawTopic)/0/\(offset)"), sha256: BargeDigest.sha256(of: file))
            total += Int64(file.count)
        }
        try await producer.close()
        return total
    }
}
