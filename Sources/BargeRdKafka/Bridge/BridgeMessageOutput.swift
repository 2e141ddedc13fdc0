import Barge
import RdKafka

/// What a bridge that moves whole messages writes for each.
protocol BridgeMessageOutput: Sendable {
    /// Sends what it must itself and returns the records to write for
    /// `message`; counts it in `work`.
    func write(_ message: BargeMessage, work: inout BridgeWork) async throws -> [KafkaProducerMessage]
}

extension BargeMessageInfo {
    /// The message as one plain record of `topic` holding `value`: its key,
    /// application headers, timestamp and partition.
    func plainRecord(to topic: String, value: [UInt8]) -> KafkaProducerMessage {
        KafkaProducerMessage(topic: topic, partition: partition, key: key, value: value, headers: headers, timestamp: timestamp?.date)
    }

    /// The dead-letter record naming this message and `failure` (without
    /// its payload), with its key and application headers.
    func deadLetter(_ failure: BargeConsumerError, to topic: String) -> KafkaProducerMessage {
        var letter = DeadLetterWriter.copy(of: nil, failure: failure, to: topic)
        letter.key = key
        letter.headers = headers + letter.headers
        return letter
    }
}
