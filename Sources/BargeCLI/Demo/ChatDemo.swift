import Barge
import Foundation
import RdKafka

/// Use case 4, chat attachment: a chat message whose text travels in a
/// header and whose 30 MB attachment is chunked, received as one message.
struct ChatDemo {
    let environment: DemoEnvironment

    func run() async throws -> DemoResult {
        let topic = "chat"
        let size = environment.scaled(30_000_000, minimum: 2_000_000)
        let text = "Here is the inspection video from line 3, see 00:42."
        try await environment.createTopic(topic, partitions: 1)
        let tally = DemoTally()
        let consumer = try environment.consumer(group: "chat-app")
        try consumer.subscribe(topics: [topic])
        try await environment.waitForAssignment([consumer], partitions: 1)
        let started = ContinuousClock.now
        let producer = try environment.producer(policy: .auto())
        var random = SyntheticBytes(seed: 7)
        let receipt = try await producer.send(
            random.next(size), topic: topic, key: Array("conversation-17".utf8),
            headers: [KafkaHeader(key: "chat-text", string: text), KafkaHeader(key: "chat-from", string: "ada")],
            description: PayloadDescription(fileName: "inspection.mp4", contentType: "video/mp4")
        )
        await tally.sent(receipt)
        try await producer.close()
        let textArrived = TextCheck()
        await environment.consume([consumer], until: 1, tally: tally) { message, _ in
            _ = try await message.bytes(limit: 64 << 20)
            let header = message.info.headers.first { $0.key == "chat-text" }?.value.map { String(decoding: $0, as: UTF8.self) }
            await textArrived.set(header == text)
            await tally.received(message.verifiedInfo ?? message.info)
        }
        let textOK = await textArrived.value
        if !textOK { await tally.failed("the chat text did not arrive with the attachment") }
        return DemoResult(
            useCase: "chat attachment", strategy: "text header + chunked", payloads: 1, bytes: receipt.size,
            seconds: (ContinuousClock.now - started).seconds, peakRSS: nil, verified: await tally.allVerified,
            notes: ["one message: the text in a header, the attachment in \(receipt.records) chunks"] + (await tally.failures)
        )
    }
}

/// Whether the chat text came with the attachment.
actor TextCheck {
    private(set) var value = false

    func set(_ ok: Bool) { value = ok }
}
