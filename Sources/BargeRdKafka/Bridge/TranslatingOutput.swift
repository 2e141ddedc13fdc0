import Barge
import RdKafka

/// Translating a foreign topic into Barge's format: a message read in a
/// foreign format (or a plain record) of at least the threshold is sent as a
/// Barge message, streamed from its source (its id derived from its first
/// record, so a replay writes the same object); a smaller payload becomes a
/// plain record.
struct TranslatingOutput: BridgeMessageOutput {
    let target: String
    let threshold: Int
    let producer: LargeMessageProducer

    func write(_ message: BargeMessage, work: inout BridgeWork) async throws -> [KafkaProducerMessage] {
        let info = message.info
        if let size = info.size, size < Int64(threshold) {
            let value = try await message.bytes(limit: threshold)
            work.add(bytes: value.count, moved: info.interop != nil)
            return [info.plainRecord(to: target, value: value)]
        }
        let placement = Externalizer.placement(topic: info.topic, partition: info.partition, offset: info.offset, timestamp: info.timestamp)
        let receipt = try await producer.send(
            stream: message.payload, topic: target, key: info.key, headers: info.headers,
            description: PayloadDescription(fileName: info.fileName, contentType: info.contentType), placement: placement
        )
        work.add(bytes: Int(receipt.size), moved: true)
        return []
    }
}
