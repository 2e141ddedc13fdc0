import KafkaValues
import ObjectStore

/// Where a foreign format's referenced payload is (bakdata backed, irori
/// checked in) and how to read it: the store holding its object (if the
/// consumer has one), the reference's facts, the retry policy, and how it
/// comes to count as handled (``settlement``).
final class InteropObjectPayload: Sendable {
    let object: InteropObject
    let info: BargeMessageInfo
    let settlement: MessageSettlement
    /// The consumer's store holding the object, and the object's key in it;
    /// a failure if the store's bucket is mapped but the key is not one
    /// (`..`, empty segments); nil if no store holds it.
    let resolved: Result<(store: any ObjectStore, key: ObjectKey), ObjectStoreError>?
    let retry: BargeRetryPolicy
    /// The consumer's progress hook, for bytes read from the store.
    let progress: (@Sendable (BargeReceiveProgress) -> Void)?

    /// Resolves the object: by its bucket in `buckets`, else by the first of
    /// `stores` whose location holds its `s3://` URI.
    init(
        object: InteropObject, record: KafkaConsumerMessage, info: BargeMessageInfo, buckets: [String: any ObjectStore],
        stores: [any ObjectStore], retry: BargeRetryPolicy, progress: (@Sendable (BargeReceiveProgress) -> Void)?, token: Int,
        owner: any PayloadOwner
    ) {
        self.object = object
        self.info = info
        settlement = MessageSettlement(record: record, token: token, owner: owner)
        let reference = object.reference
        if let store = buckets[reference.bucket] {
            resolved = Result { () throws(ObjectStoreError) in (store: store, key: try ObjectKey(reference.key)) }
        } else {
            resolved = stores.lazy.compactMap { store in
                store.location.key(ofObjectURL: reference.uri).map { .success((store: store, key: $0)) }
            }.first
        }
        self.retry = retry
        self.progress = progress
    }

    /// The error for a failure of kind `kind`.
    func failure(_ kind: BargeConsumerError.Kind, _ message: String) -> BargeConsumerError {
        BargeConsumerError(kind, message, topicPartition: info.topicPartition, firstOffset: info.offset, lastOffset: info.offset)
    }
}
