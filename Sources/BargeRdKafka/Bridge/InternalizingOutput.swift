import Barge
import Logging
import RdKafka

/// Internalizing: each message becomes one plain record, or what the
/// too-large policy makes of a message that does not fit one.
struct InternalizingOutput: BridgeMessageOutput {
    let target: String
    /// The largest record the target takes.
    let recordLimit: Int
    let tooLarge: BridgeTooLargePolicy
    let logger: Logger

    /// The record for `message`, or what the too-large policy makes of a
    /// message that does not fit one.
    func write(_ message: BargeMessage, work: inout BridgeWork) async throws -> [KafkaProducerMessage] {
        let info = message.info
        let room = recordLimit - KafkaMemoryBudget.recordHeadroom
        do {
            let value = try await message.bytes(limit: room)
            work.add(bytes: value.count, moved: info.kind != .plain)
            return [info.plainRecord(to: target, value: value)]
        } catch let failure as BargeConsumerError where failure.kind == .tooLarge {
            let description = "message \(info.id?.text ?? "-") at \(info.topicPartition)@\(info.offset) does not fit a record of \(target): \(failure.message)"
            switch tooLarge {
            case .stop:
                throw BargeBridgeError(.messageTooLarge, description)
            case .skip:
                logger.warning("skipped: \(description)")
                return []
            case .deadLetter(let topic):
                logger.warning("sent to \(topic): \(description)")
                return [info.deadLetter(failure, to: topic)]
            }
        }
    }
}
