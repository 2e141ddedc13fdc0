import Barge
import RdKafka

/// What a bridge that moves whole messages writes for each.
protocol BridgeMessageOutput: Sendable {
    /// Sends what it must itself and returns the records to write for
    /// `message`; counts it in `work`.
    func write(_ message: BargeMessage, work: inout BridgeWork) async throws -> [KafkaProducerMessage]
}
