import KafkaValues
import ObjectStore

/// Where a claim check's payload is and how to read it: the store holding its
/// object (if the consumer has one), the reference's facts, the keys and the
/// retry policy, and how it comes to count as handled (``settlement``).
final class ClaimCheckPayload: Sendable {
    let reference: BargeReferenceHeader
    let settlement: MessageSettlement
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

    init(
        reference: BargeReferenceHeader, record: KafkaConsumerMessage, info: BargeMessageInfo, stores: [any ObjectStore],
        keyring: BargeKeyring?, retry: BargeRetryPolicy, progress: (@Sendable (BargeReceiveProgress) -> Void)?, token: Int,
        owner: any PayloadOwner
    ) {
        self.reference = reference
        settlement = MessageSettlement(record: record, token: token, owner: owner)
        self.info = info
        hasStores = !stores.isEmpty
        resolved = stores.lazy.compactMap { store in
            store.location.key(ofObjectURL: reference.objectURL).map { (store: store, key: $0) }
        }.first
        self.keyring = keyring
        self.retry = retry
        self.progress = progress
    }

    /// The error for a failure of kind `kind`.
    func failure(_ kind: BargeConsumerError.Kind, _ message: String) -> BargeConsumerError {
        BargeConsumerError(kind, message, topicPartition: info.topicPartition, id: info.id, firstOffset: info.offset, lastOffset: info.offset)
    }
}
