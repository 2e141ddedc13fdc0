import KafkaValues
import NIOConcurrencyHelpers

/// How a message whose payload is read from an object store (a claim
/// check, or a foreign format's reference) comes to count as handled: it
/// tells its owner (the engine) once, when reading ends or the message is dropped.
final class MessageSettlement: Sendable {
    /// The reference record, for a dead-letter copy should it prove bad.
    let record: KafkaConsumerMessage
    private let token: Int
    private let owner: any PayloadOwner
    /// Set once the message's fate is known: handled (true) or to be read again later (false).
    private let outcome = NIOLockedValueBox<Bool?>(nil)

    init(record: KafkaConsumerMessage, token: Int, owner: any PayloadOwner) {
        self.record = record
        self.token = token
        self.owner = owner
    }

    /// Records how reading ended: read to its verified end (`failure` nil),
    /// failed for good (a bad record: the consumer's ``BadRecordPolicy``
    /// decides), or failed in a way that may pass (store unreachable, access
    /// refused, key missing: `handled` false), in which case the offset must
    /// not be committed. Awaited, so that a commit right after the read
    /// includes the message (and a dead-letter copy is written before the
    /// reader hears of the failure).
    func settle(handled: Bool, failure: BargeConsumerError? = nil) async {
        guard claimOutcome(handled), handled else { return }
        if let failure, failure.isBadRecord {
            await owner.failed(token, failure, record: record, handedOver: true)
        }
        await owner.finishReference(token)
    }

    /// The message was dropped: unread or partly read counts as handled.
    func messageDropped() {
        guard claimOutcome(true) else { return }
        Task { [owner, token] in await owner.finishReference(token) }
    }

    /// Sets the outcome unless one was set before; whether this call set it.
    private func claimOutcome(_ handled: Bool) -> Bool {
        outcome.withLockedValue { current in
            guard current == nil else { return false }
            current = handled
            return true
        }
    }
}
