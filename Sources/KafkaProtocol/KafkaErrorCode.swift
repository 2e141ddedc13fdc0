/// A Kafka error code as it travels on the wire, with its name, whether a
/// client may retry, and Kafka's description. The constants are a data table.
public struct KafkaErrorCode: Hashable, Sendable, CustomStringConvertible {
    public let code: Int16
    public let name: String
    public let isRetriable: Bool
    public let summary: String

    private init(_ code: Int16, _ name: String, retriable: Bool, _ summary: String) {
        self.code = code
        self.name = name
        self.isRetriable = retriable
        self.summary = summary
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
    public var description: String { "\(name)(\(code))" }

    public static let unknownServerError = KafkaErrorCode(-1, "UNKNOWN_SERVER_ERROR", retriable: false, "The server experienced an unexpected error when processing the request.")
    public static let none = KafkaErrorCode(0, "NONE", retriable: false, "")
    public static let offsetOutOfRange = KafkaErrorCode(1, "OFFSET_OUT_OF_RANGE", retriable: false, "The requested offset is not within the range of offsets maintained by the server.")
    public static let corruptMessage = KafkaErrorCode(2, "CORRUPT_MESSAGE", retriable: true, "This message has failed its CRC checksum, exceeds the valid size, has a null key for a compacted topic, or is otherwise corrupt.")
    public static let unknownTopicOrPartition = KafkaErrorCode(3, "UNKNOWN_TOPIC_OR_PARTITION", retriable: true, "This server does not host this topic-partition.")
    public static let invalidFetchSize = KafkaErrorCode(4, "INVALID_FETCH_SIZE", retriable: false, "The requested fetch size is invalid.")
    public static let leaderNotAvailable = KafkaErrorCode(5, "LEADER_NOT_AVAILABLE", retriable: true, "There is no leader for this topic-partition as we are in the middle of a leadership election.")
    public static let notLeaderOrFollower = KafkaErrorCode(6, "NOT_LEADER_OR_FOLLOWER", retriable: true, "For requests intended only for the leader, this error indicates that the broker is not the current leader.")
    public static let requestTimedOut = KafkaErrorCode(7, "REQUEST_TIMED_OUT", retriable: true, "The request timed out.")
    public static let messageTooLarge = KafkaErrorCode(10, "MESSAGE_TOO_LARGE", retriable: false, "The request included a message larger than the max message size the server will accept.")
    public static let offsetMetadataTooLarge = KafkaErrorCode(12, "OFFSET_METADATA_TOO_LARGE", retriable: false, "The metadata field of the offset request was too large.")
    public static let coordinatorLoadInProgress = KafkaErrorCode(14, "COORDINATOR_LOAD_IN_PROGRESS", retriable: true, "The coordinator is loading and hence can't process requests.")
    public static let coordinatorNotAvailable = KafkaErrorCode(15, "COORDINATOR_NOT_AVAILABLE", retriable: true, "The coordinator is not available.")
    public static let notCoordinator = KafkaErrorCode(16, "NOT_COORDINATOR", retriable: true, "This is not the correct coordinator.")
    public static let invalidTopicException = KafkaErrorCode(17, "INVALID_TOPIC_EXCEPTION", retriable: false, "The request attempted to perform an operation on an invalid topic.")
    public static let recordListTooLarge = KafkaErrorCode(18, "RECORD_LIST_TOO_LARGE", retriable: false, "The request included message batch larger than the configured segment size on the server.")
    public static let notEnoughReplicas = KafkaErrorCode(19, "NOT_ENOUGH_REPLICAS", retriable: true, "Messages are rejected since there are fewer in-sync replicas than required.")
    public static let invalidRequiredAcks = KafkaErrorCode(21, "INVALID_REQUIRED_ACKS", retriable: false, "Produce request specified an invalid value for required acks.")
    public static let illegalGeneration = KafkaErrorCode(22, "ILLEGAL_GENERATION", retriable: false, "Specified group generation id is not valid.")
    public static let inconsistentGroupProtocol = KafkaErrorCode(23, "INCONSISTENT_GROUP_PROTOCOL", retriable: false, "The group member's supported protocols are incompatible with those of existing members or first group member tried to join with empty protocol type or empty protocol list.")
    public static let invalidGroupId = KafkaErrorCode(24, "INVALID_GROUP_ID", retriable: false, "The configured groupId is invalid.")
    public static let unknownMemberId = KafkaErrorCode(25, "UNKNOWN_MEMBER_ID", retriable: false, "The coordinator is not aware of this member.")
    public static let invalidSessionTimeout = KafkaErrorCode(26, "INVALID_SESSION_TIMEOUT", retriable: false, "The session timeout is not within the range allowed by the broker.")
    public static let rebalanceInProgress = KafkaErrorCode(27, "REBALANCE_IN_PROGRESS", retriable: false, "The group is rebalancing, so a rejoin is needed.")
    public static let invalidCommitOffsetSize = KafkaErrorCode(28, "INVALID_COMMIT_OFFSET_SIZE", retriable: false, "The committing offset data size is not valid.")
    public static let topicAuthorizationFailed = KafkaErrorCode(29, "TOPIC_AUTHORIZATION_FAILED", retriable: false, "Topic authorization failed.")
    public static let clusterAuthorizationFailed = KafkaErrorCode(31, "CLUSTER_AUTHORIZATION_FAILED", retriable: false, "Cluster authorization failed.")
    public static let invalidTimestamp = KafkaErrorCode(32, "INVALID_TIMESTAMP", retriable: false, "The timestamp of the message is out of acceptable range.")
    public static let unsupportedSaslMechanism = KafkaErrorCode(33, "UNSUPPORTED_SASL_MECHANISM", retriable: false, "The broker does not support the requested SASL mechanism.")
    public static let unsupportedVersion = KafkaErrorCode(35, "UNSUPPORTED_VERSION", retriable: false, "The version of API is not supported.")
    public static let topicAlreadyExists = KafkaErrorCode(36, "TOPIC_ALREADY_EXISTS", retriable: false, "Topic with this name already exists.")
    public static let invalidPartitions = KafkaErrorCode(37, "INVALID_PARTITIONS", retriable: false, "Number of partitions is below 1.")
    public static let invalidReplicationFactor = KafkaErrorCode(38, "INVALID_REPLICATION_FACTOR", retriable: false, "Replication factor is below 1 or larger than the number of available brokers.")
    public static let invalidConfig = KafkaErrorCode(40, "INVALID_CONFIG", retriable: false, "Configuration is invalid.")
    public static let invalidRequest = KafkaErrorCode(42, "INVALID_REQUEST", retriable: false, "This most likely occurs because of a request being malformed by the client library or the message was sent to an incompatible broker.")
    public static let unsupportedForMessageFormat = KafkaErrorCode(43, "UNSUPPORTED_FOR_MESSAGE_FORMAT", retriable: false, "The message format version on the broker does not support the request.")
    public static let policyViolation = KafkaErrorCode(44, "POLICY_VIOLATION", retriable: false, "Request parameters do not satisfy the configured policy.")
    public static let outOfOrderSequenceNumber = KafkaErrorCode(45, "OUT_OF_ORDER_SEQUENCE_NUMBER", retriable: false, "The broker received an out of order sequence number.")
    public static let duplicateSequenceNumber = KafkaErrorCode(46, "DUPLICATE_SEQUENCE_NUMBER", retriable: false, "The broker received a duplicate sequence number.")
    public static let invalidProducerEpoch = KafkaErrorCode(47, "INVALID_PRODUCER_EPOCH", retriable: false, "Producer attempted to produce with an old epoch.")
    public static let invalidTxnState = KafkaErrorCode(48, "INVALID_TXN_STATE", retriable: false, "The producer attempted a transactional operation in an invalid state.")
    public static let invalidProducerIdMapping = KafkaErrorCode(49, "INVALID_PRODUCER_ID_MAPPING", retriable: false, "The producer attempted to use a producer id which is not currently assigned to its transactional id.")
    public static let invalidTransactionTimeout = KafkaErrorCode(50, "INVALID_TRANSACTION_TIMEOUT", retriable: false, "The transaction timeout is larger than the maximum value allowed by the broker (as configured by transaction.max.timeout.ms).")
    public static let concurrentTransactions = KafkaErrorCode(51, "CONCURRENT_TRANSACTIONS", retriable: true, "The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing.")
    public static let transactionalIdAuthorizationFailed = KafkaErrorCode(53, "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", retriable: false, "Transactional Id authorization failed.")
    public static let kafkaStorageError = KafkaErrorCode(56, "KAFKA_STORAGE_ERROR", retriable: true, "Disk error when trying to access log file on the disk.")
    public static let unknownProducerId = KafkaErrorCode(59, "UNKNOWN_PRODUCER_ID", retriable: false, "This exception is raised by the broker if it could not locate the producer metadata associated with the producerId in question.")
    public static let operationNotAttempted = KafkaErrorCode(55, "OPERATION_NOT_ATTEMPTED", retriable: false, "The broker did not attempt to execute this operation. This may happen for batched RPCs where some operations in the batch failed, causing the broker to respond without trying the rest.")
    public static let nonEmptyGroup = KafkaErrorCode(68, "NON_EMPTY_GROUP", retriable: false, "The group is not empty.")
    public static let groupIdNotFound = KafkaErrorCode(69, "GROUP_ID_NOT_FOUND", retriable: false, "The group id does not exist.")
    public static let groupAuthorizationFailed = KafkaErrorCode(30, "GROUP_AUTHORIZATION_FAILED", retriable: false, "Group authorization failed.")
    public static let illegalSaslState = KafkaErrorCode(34, "ILLEGAL_SASL_STATE", retriable: false, "Request is not valid given the current SASL state.")
    public static let securityDisabled = KafkaErrorCode(54, "SECURITY_DISABLED", retriable: false, "Security features are disabled.")
    public static let saslAuthenticationFailed = KafkaErrorCode(58, "SASL_AUTHENTICATION_FAILED", retriable: false, "SASL Authentication failed.")
    public static let resourceNotFound = KafkaErrorCode(91, "RESOURCE_NOT_FOUND", retriable: false, "A request illegally referred to a resource that does not exist.")
    public static let duplicateResource = KafkaErrorCode(92, "DUPLICATE_RESOURCE", retriable: false, "A request illegally referred to the same resource twice.")
    public static let unacceptableCredential = KafkaErrorCode(93, "UNACCEPTABLE_CREDENTIAL", retriable: false, "Requested credential would not meet criteria for acceptability.")
    public static let fetchSessionIdNotFound = KafkaErrorCode(70, "FETCH_SESSION_ID_NOT_FOUND", retriable: true, "The fetch session ID was not found.")
    public static let invalidFetchSessionEpoch = KafkaErrorCode(71, "INVALID_FETCH_SESSION_EPOCH", retriable: true, "The fetch session epoch is invalid.")
    public static let fencedLeaderEpoch = KafkaErrorCode(74, "FENCED_LEADER_EPOCH", retriable: true, "The leader epoch in the request is older than the epoch on the broker.")
    public static let unknownLeaderEpoch = KafkaErrorCode(75, "UNKNOWN_LEADER_EPOCH", retriable: true, "The leader epoch in the request is newer than the epoch on the broker.")
    public static let memberIdRequired = KafkaErrorCode(79, "MEMBER_ID_REQUIRED", retriable: false, "The group member needs to have a valid member id before actually entering a consumer group.")
    public static let groupMaxSizeReached = KafkaErrorCode(81, "GROUP_MAX_SIZE_REACHED", retriable: false, "The consumer group has reached its max size.")
    public static let fencedInstanceId = KafkaErrorCode(82, "FENCED_INSTANCE_ID", retriable: false, "The broker rejected this static consumer since another consumer with the same group.instance.id has registered with a different member.id.")
    public static let groupSubscribedToTopic = KafkaErrorCode(86, "GROUP_SUBSCRIBED_TO_TOPIC", retriable: false, "The consumer group is actively subscribed to the topic.")
    public static let invalidRecord = KafkaErrorCode(87, "INVALID_RECORD", retriable: false, "This record has failed the validation on broker and hence will be rejected.")
    public static let unstableOffsetCommit = KafkaErrorCode(88, "UNSTABLE_OFFSET_COMMIT", retriable: true, "There are unstable offsets that need to be cleared.")
    public static let producerFenced = KafkaErrorCode(90, "PRODUCER_FENCED", retriable: false, "There is a newer producer with the same transactionalId which fences the current one.")
    public static let transactionalIdNotFound = KafkaErrorCode(105, "TRANSACTIONAL_ID_NOT_FOUND", retriable: false, "The transactionalId could not be found.")
    public static let unknownTopicId = KafkaErrorCode(100, "UNKNOWN_TOPIC_ID", retriable: true, "This server does not host this topic ID.")
    public static let inconsistentTopicId = KafkaErrorCode(103, "INCONSISTENT_TOPIC_ID", retriable: true, "The log's topic ID did not match the topic ID in the request.")

    /// Every code in this table, by wire value.
    public static let all: [Int16: KafkaErrorCode] = Dictionary(uniqueKeysWithValues: [
        unknownServerError, none, offsetOutOfRange, corruptMessage, unknownTopicOrPartition, invalidFetchSize,
        leaderNotAvailable, notLeaderOrFollower, requestTimedOut, messageTooLarge, offsetMetadataTooLarge,
        coordinatorLoadInProgress, coordinatorNotAvailable, notCoordinator, invalidTopicException, recordListTooLarge,
        notEnoughReplicas, invalidRequiredAcks, illegalGeneration, inconsistentGroupProtocol, invalidGroupId, unknownMemberId,
        invalidSessionTimeout, rebalanceInProgress, invalidCommitOffsetSize, topicAuthorizationFailed,
        clusterAuthorizationFailed, invalidTimestamp, unsupportedSaslMechanism, unsupportedVersion, topicAlreadyExists,
        invalidPartitions, invalidReplicationFactor, invalidConfig, invalidRequest, unsupportedForMessageFormat,
        policyViolation, outOfOrderSequenceNumber, duplicateSequenceNumber, invalidProducerEpoch, invalidTxnState,
        invalidProducerIdMapping, invalidTransactionTimeout, concurrentTransactions, operationNotAttempted,
        transactionalIdAuthorizationFailed, kafkaStorageError, unknownProducerId, nonEmptyGroup, groupIdNotFound,
        fetchSessionIdNotFound, invalidFetchSessionEpoch, fencedLeaderEpoch, unknownLeaderEpoch, memberIdRequired,
        groupMaxSizeReached, fencedInstanceId, groupSubscribedToTopic, invalidRecord, unstableOffsetCommit,
        producerFenced, transactionalIdNotFound, unknownTopicId, inconsistentTopicId, groupAuthorizationFailed, illegalSaslState,
        securityDisabled, saslAuthenticationFailed, resourceNotFound, duplicateResource, unacceptableCredential,
    ].map { ($0.code, $0) })

    /// The entry for a wire value; unknown values get a generic entry.
    public static func forCode(_ code: Int16) -> KafkaErrorCode {
        all[code] ?? KafkaErrorCode(code, "UNKNOWN_\(code)", retriable: false, "An error code this table does not know.")
    }
}
