import Barge
import FileIO
import Foundation
import RdKafka

/// Use case 6, surveillance archive on tiered storage: clips from a camera
/// go to a topic that keeps only its newest segments on local disk
/// (`local.retention.bytes`); closed segments move to the remote tier (a
/// file-system object store) while the clips are written and their local
/// copies go. A new consumer then replays the archive from offset 0 through
/// the remote tier, every clip verified.
struct SurveillanceArchiveDemo {
    let environment: DemoEnvironment
    /// The broker's data directory and the remote tier's root.
    let dataDirectory: String
    let remoteRoot: String

    static let topic = "surveillance-archive"
    static let segmentBytes = 4 << 20
    static let localRetentionBytes = 8 << 20

    func run() async throws -> DemoResult {
        let topic = Self.topic
        let clips = environment.scaled(20, minimum: 4)
        let clipSize = environment.scaled(20_000_000, minimum: 4_000_000)
        try await environment.createTopic(topic, partitions: 1, configs: [
            "remote.storage.enable": "true",
            "segment.bytes": String(Self.segmentBytes),
            "local.retention.bytes": String(Self.localRetentionBytes),
        ])
        let tally = DemoTally()
        let started = ContinuousClock.now
        let producer = try environment.producer(policy: .chunked())
        for clip in 0..<clips {
            let receipt = try await producer.send(
                stream: SyntheticStream(size: clipSize, pieceSize: 256 << 10, seed: UInt64(1000 + clip)), topic: topic,
                description: PayloadDescription(fileName: "camera7-clip\(clip).mp4", contentType: "video/mp4"))
            await tally.sent(receipt)
        }
        try await producer.close()
        let written = ContinuousClock.now
        let tiers = try await waitForLocalRetention()

        let replayStarted = ContinuousClock.now
        let consumer = try environment.consumer(group: "archive-replay")
        try consumer.subscribe(topics: [topic])
        await environment.consume([consumer], until: clips, tally: tally) { message, _ in
            for try await _ in message.payload {}
            await tally.received(message.verifiedInfo ?? message.info)
        }
        let replaySeconds = (ContinuousClock.now - replayStarted).seconds
        return DemoResult(
            useCase: "surveillance archive", strategy: "chunked, tiered storage", payloads: clips, bytes: Int64(clips * clipSize),
            seconds: (ContinuousClock.now - started).seconds, peakRSS: nil, verified: await tally.allVerified,
            notes: [
                String(format: "written in %.1f s; then %@ on local disk, %@ in the remote tier; replayed from offset 0 in %.1f s",
                       (written - started).seconds, DemoTable.megabytes(tiers.local), DemoTable.megabytes(tiers.remote), replaySeconds),
            ] + (await tally.failures))
    }

    /// Waits (at most two minutes) until local retention has removed the copied segments, and returns the bytes in each tier.
    private func waitForLocalRetention() async throws -> (local: Int64, remote: Int64) {
        let deadline = ContinuousClock.now + .seconds(120)
        var tiers: (local: Int64, remote: Int64) = (0, 0)
        while ContinuousClock.now < deadline {
            tiers = try tierBytes()
            if tiers.remote > 0 && tiers.local <= Int64(Self.localRetentionBytes + Self.segmentBytes) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return tiers
    }

    /// Bytes of the partition's segment files, and of the remote tier's objects.
    private func tierBytes() throws -> (local: Int64, remote: Int64) {
        let fileSystem = PosixFileSystem()
        let partition = "\(dataDirectory)/\(Self.topic)-0"
        var local: Int64 = 0
        for name in try fileSystem.list(partition) where name.hasSuffix(".log") {
            local += Int64(try fileSystem.fileSize("\(partition)/\(name)"))
        }
        var remote: Int64 = 0
        let enumerator = FileManager.default.enumerator(atPath: remoteRoot)
        while let name = enumerator?.nextObject() as? String {
            if name.hasSuffix(".log") { remote += Int64(try fileSystem.fileSize("\(remoteRoot)/\(name)")) }
        }
        return (local, remote)
    }
}
