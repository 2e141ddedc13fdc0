import Barge
import Foundation
import RdKafka

/// Use case 1, machine vision: a burst of camera frames of 200 KB to 5 MB
/// from eight cameras (keyed by camera), sent with the auto policy (inline
/// when a frame fits a record, chunked above) and consumed by a group of
/// two members.
struct MachineVisionDemo {
    let environment: DemoEnvironment

    func run() async throws -> DemoResult {
        let topic = "camera-frames"
        let frames = environment.scaled(200, minimum: 8)
        try await environment.createTopic(topic, partitions: 2)
        let tally = DemoTally()
        let consumers = try (0..<2).map { _ in try environment.consumer(group: "vision") }
        for consumer in consumers { try consumer.subscribe(topics: [topic]) }
        try await environment.waitForAssignment(consumers, partitions: 2)
        let started = ContinuousClock.now
        let producer = try environment.producer(policy: .auto())
        let sender = Task {
            try await withThrowingTaskGroup(of: (Int64, Int).self) { group in
                for camera in 0..<8 {
                    group.addTask {
                        var bytes: Int64 = 0, inline = 0
                        var random = SyntheticBytes(seed: UInt64(camera + 1))
                        for index in stride(from: camera, to: frames, by: 8) {
                            let frame = random.next(random.number(in: 200_000...5_000_000))
                            let receipt = try await producer.send(
                                frame, topic: topic, key: Array("camera-\(camera)".utf8),
                                description: PayloadDescription(fileName: "camera\(camera)-\(index).jpg", contentType: "image/jpeg")
                            )
                            await tally.sent(receipt)
                            bytes += receipt.size
                            inline += receipt.isInline ? 1 : 0
                        }
                        return (bytes, inline)
                    }
                }
                return try await group.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
            }
        }
        let members = ConsumerShares()
        await environment.consume(consumers, until: frames, tally: tally) { message, member in
            _ = try await message.bytes(limit: 8 << 20)
            await tally.received(message.verifiedInfo ?? message.info)
            await members.add(member)
        }
        let (bytes, inline) = try await sender.value
        try await producer.close()
        let shares = await members.counts
        return DemoResult(
            useCase: "machine vision", strategy: "auto", payloads: frames, bytes: bytes,
            seconds: (ContinuousClock.now - started).seconds, peakRSS: nil, verified: await tally.allVerified,
            notes: ["\(inline) frames inline, \(frames - inline) chunked; the two group members took \(shares.map(String.init).joined(separator: " and "))"]
                + (await tally.failures)
        )
    }
}

/// How many payloads each member of a group handled.
actor ConsumerShares {
    private var byMember: [Int: Int] = [:]

    func add(_ member: Int) { byMember[member, default: 0] += 1 }

    var counts: [Int] { byMember.keys.sorted().map { byMember[$0]! } }
}
