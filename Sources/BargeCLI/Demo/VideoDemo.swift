import Barge
import Crypto
import Foundation
import RdKafka

/// Use case 2, video: a 500 MB recording streamed chunk by chunk while it is
/// being "recorded" (an AsyncSequence of unknown length), played back by a
/// consumer that starts before the sender has finished: progressive
/// delivery, with the time to the first byte.
struct VideoDemo {
    let environment: DemoEnvironment

    func run() async throws -> DemoResult {
        let topic = "camera-video"
        let size = environment.scaled(500_000_000, minimum: 4_000_000)
        try await environment.createTopic(topic, partitions: 1)
        let tally = DemoTally()
        let consumer = try environment.consumer(group: "playback", delivery: .progressive)
        try consumer.subscribe(topics: [topic])
        try await environment.waitForAssignment([consumer], partitions: 1)
        let started = ContinuousClock.now
        let firstByte = FirstByteClock()
        let producer = try environment.producer(policy: .chunked())
        let sender = Task {
            let receipt = try await producer.send(
                stream: SyntheticStream(size: size, pieceSize: 256 << 10, seed: 42), topic: topic,
                description: PayloadDescription(fileName: "recording.mp4", contentType: "video/mp4")
            )
            await tally.sent(receipt)
            return ContinuousClock.now
        }
        await environment.consume([consumer], until: 1, tally: tally) { message, _ in
            for try await piece in message.payload where !piece.isEmpty {
                await firstByte.mark(after: started)
            }
            await tally.received(message.verifiedInfo ?? message.info)
        }
        let sendFinished = try await sender.value
        try await producer.close()
        var notes: [String] = []
        if let first = await firstByte.elapsed {
            notes.append(String(format: "first byte played %.0f ms after recording started; the sender finished %.1f s after it", first.seconds * 1000, (sendFinished - started).seconds))
        }
        return DemoResult(
            useCase: "video", strategy: "chunked stream, progressive", payloads: 1, bytes: Int64(size),
            seconds: (ContinuousClock.now - started).seconds, peakRSS: nil, verified: await tally.allVerified,
            notes: notes + (await tally.failures)
        )
    }
}

/// When the first payload byte arrived.
actor FirstByteClock {
    private(set) var elapsed: Duration?

    func mark(after start: ContinuousClock.Instant) {
        if elapsed == nil { elapsed = ContinuousClock.now - start }
    }
}
