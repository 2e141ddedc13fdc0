import KafkaValues
import NIOConcurrencyHelpers
import ObjectStore

/// Where a claim check's payload is and how to read it: the store holding its
/// object (if the consumer has one), the reference's facts, the keys and the
/// retry policy. It tells its owner (the engine) when the message counts as handled.
final class ClaimCheckPayload: Sendable {
    let reference: BargeReferenceHeader
    /// The reference record, for a dead-letter copy should it prove bad.
    let record: KafkaConsumerMessage
    let info: BargeMessageInfo
    /// The consumer's store holding the object, and the object's key in it.
    let resolved: (store: any ObjectStore, key: ObjectKey)?
    /// Whether the consumer has any store: if it has, a reference none of
    /// them resolves is forged or broken; if not, the consumer lacks settings.
    let hasStores: Bool
    let keyring: BargeKeyring?
    let retry: BargeRetryPolicy
    /// The consumer's progress hook, for bytes read from the store.
    let progress: (@Sendable (BargeReceiveProgress) -> Void)?
    private let token: Int
    private let owner: any PayloadOwner
    /// Set once the message's fate is known: handled (true) or to be read again later (false).
    private let outcome = NIOLockedValueBox<Bool?>(nil)

    init(
        reference: BargeReferenceHeader, record: KafkaConsumerMessage, info: BargeMessageInfo, stores: [any ObjectStore],
        keyring: BargeKeyring?, retry: BargeRetryPolicy, progress: (@Sendable (BargeReceiveProgress) -> Void)?, token: Int,
        owner: any PayloadOwner
    ) {
        self.reference = reference
        self.record = record
        self.info = info
        hasStores = !stores.isEmpty
        resolved = stores.lazy.compactMap { store in
            store.location.key(ofObjectURL: reference.objectURL).map { (store: store, key: $0) }
        }.first
        self.keyring = keyring
        self.retry = retry
        self.progress = progress
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

    /// The error for a failure of kind `kind`.
    func failure(_ kind: BargeConsumerError.Kind, _ message: String) -> BargeConsumerError {
        BargeConsumerError(kind, message, topicPartition: info.topicPartition, id: info.id, firstOffset: info.offset, lastOffset: info.offset)
    }
}
