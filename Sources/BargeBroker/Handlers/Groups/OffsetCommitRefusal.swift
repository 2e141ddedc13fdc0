import KafkaProtocol
import KafkaSecurity

extension RequestContext {
    /// Why a commit of an offset of partition `partition` of `topic` with
    /// `metadata` is refused, as OffsetCommit and TxnOffsetCommit check it:
    /// TOPIC_AUTHORIZATION_FAILED when the client may not READ the topic,
    /// UNKNOWN_TOPIC_OR_PARTITION for a partition that does not exist,
    /// OFFSET_METADATA_TOO_LARGE for metadata longer than
    /// `offset.metadata.max.bytes`; nil when it may be committed.
    func offsetCommitRefusal(topic: String, partition: Int32, metadata: String?) -> KafkaErrorCode? {
        if !isAuthorized(.read, .topic, topic) { return .topicAuthorizationFailed }
        if topics.partition(topic: topic, index: partition) == nil { return .unknownTopicOrPartition }
        if (metadata?.utf8.count ?? 0) > broker.offsets.maxMetadataBytes { return .offsetMetadataTooLarge }
        return nil
    }
}
