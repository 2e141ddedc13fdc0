import Barge
import BargeRdKafka
import Foundation
import ObjectStore
import RdKafka

/// Use case 5, model archive: a 2 GB unstructured file sent as a claim check
/// to a file-system store under the demo directory (Kafka carries one small
/// reference record), read back streaming and verified; then the topic's
/// retention removes the reference and the janitor deletes the object,
/// having kept it while it was referenced.
struct ModelArchiveDemo {
    let environment: DemoEnvironment
    /// The store's directory.
    let storeRoot: String
    /// How long the topic keeps records: long enough for the janitor's first
    /// look right after the send, short enough not to keep the demo waiting.
    static let retention: Duration = .seconds(30)

    func run() async throws -> DemoResult {
        let topic = "model-archive"
        let size = environment.scaled(2_000_000_000, minimum: 20_000_000)
        let store = try FileSystemObjectStore(root: storeRoot)
        try await environment.createTopic(topic, partitions: 1, configs: [
            "retention.ms": "\(Self.retention.components.seconds * 1000)", "segment.ms": "1000",
        ])
        let tally = DemoTally()
        let consumer = try environment.consumer(group: "model-loader", objectStores: [store])
        try consumer.subscribe(topics: [topic])
        try await environment.waitForAssignment([consumer], partitions: 1)
        let started = ContinuousClock.now
        let producer = try environment.producer(policy: .claimCheck, objectStore: store)
        let receipt = try await producer.send(
            stream: SyntheticStream(size: size, pieceSize: 1 << 20, seed: 2026), topic: topic,
            description: PayloadDescription(fileName: "vision-model-v7.safetensors", contentType: "application/octet-stream")
        )
        await tally.sent(receipt)
        try await producer.close()
        let janitor = janitor(store: store)
        let early = try await janitor.collect()
        if early.referenced != 1 || !early.deletions.isEmpty {
            await tally.failed("the janitor did not keep the referenced object: \(early.deletions.map(\.objectURL))")
        }
        await environment.consume([consumer], until: 1, tally: tally) { message, _ in
            guard message.info.kind == .claimCheck else {
                await tally.failed("the payload did not arrive as a claim check")
                return
            }
            // Read to its end, the payload is checked against its size and SHA-256.
            for try await _ in message.payload {}
            await tally.received(message.verifiedInfo ?? message.info)
        }
        let seconds = (ContinuousClock.now - started).seconds
        var notes = ["\(DemoTable.megabytes(receipt.size)) stored as \(receipt.objectURL ?? "?"); Kafka carried one reference record"]
        notes += try await collectAfterRetention(topic: topic, store: store, janitor: janitor, tally: tally)
        return DemoResult(
            useCase: "model archive", strategy: "claim check (file store)", payloads: 1, bytes: receipt.size,
            seconds: seconds, peakRSS: nil, verified: await tally.allVerified, notes: notes + (await tally.failures)
        )
    }

    /// The janitor of `store`, without a grace period (nothing else writes to it).
    private func janitor(store: FileSystemObjectStore) -> ClaimCheckJanitor {
        var configuration = ClaimCheckJanitorConfiguration(bootstrapServers: [environment.bootstrapServers], store: store)
        configuration.gracePeriod = .zero
        return ClaimCheckJanitor(configuration: configuration, logger: environment.logger)
    }

    /// Waits for retention to remove the reference, and runs the janitor again:
    /// it must delete the object now, for that reason.
    private func collectAfterRetention(
        topic: String, store: FileSystemObjectStore, janitor: ClaimCheckJanitor, tally: DemoTally
    ) async throws -> [String] {
        try await waitForRetention(topic: topic)
        let late = try await janitor.collect()
        guard let deletion = late.deletions.first, deletion.deleted, deletion.reason == .retention else {
            await tally.failed("the janitor did not delete the object after retention: \(late.deletions)")
            return []
        }
        var left = 0
        for try await _ in store.list(prefix: "\(topic)/") { left += 1 }
        if left != 0 { await tally.failed("\(left) objects left in the store after the janitor ran") }
        return ["janitor: kept the object while referenced; after retention (\(Self.retention)) deleted it (\(deletion.reason.rawValue)), freeing \(DemoTable.megabytes(deletion.size))"]
    }

    /// Waits (at most 60 s) until retention emptied the topic's partition.
    private func waitForRetention(topic: String) async throws {
        var settings = KafkaConsumerConfiguration(bootstrapServers: [environment.bootstrapServers], groupID: "model-archive-watch")
        settings.enableAutoCommit = false
        let consumer = try KafkaConsumer(configuration: settings, logger: environment.logger)
        defer { Task { await consumer.close() } }
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let marks = try await consumer.watermarks(of: KafkaTopicPartition(topic: topic, partition: 0))
            if marks.low == marks.high && marks.high > 0 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw CommandFailure("retention did not remove topic \(topic)'s records within 60 s")
    }
}
