import KafkaProtocol
import Logging

/// What a request handler can reach: the request's header, the broker's
/// settings, topics, the blocking-I/O pool and the append signal.
struct RequestContext: Sendable {
    let header: KafkaRequestHeader
    /// The client's address as Kafka reports it in DescribeGroups ("/127.0.0.1").
    let clientHost: String
    let broker: BrokerState
    let logger: Logger

    var config: BrokerConfig { broker.config }
    var topics: TopicRegistry { broker.topics }
    var io: BlockingIOPool { broker.io }

    /// The named topic; when it does not exist and `autoCreate` is set, it is
    /// created with `num.partitions` partitions (auto.create.topics.enable).
    func topic(named name: String, autoCreate: Bool) async -> Result<Topic, TopicError> {
        if let topic = topics.topic(named: name) { return .success(topic) }
        guard autoCreate else {
            return .failure(TopicError(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist"))
        }
        let (registry, partitions) = (topics, config.numPartitions)
        do {
            return .success(try await io.run { try registry.topicCreatingIfNeeded(name: name, partitions: partitions) })
        } catch let error as TopicError {
            return .failure(error)
        } catch {
            return .failure(TopicError.storageFailure("creating topic '\(name)'", error, logger: logger))
        }
    }
}

/// The broker's shared parts, built once at start.
struct BrokerState: Sendable {
    let config: BrokerConfig
    let clusterId: String
    let topics: TopicRegistry
    let producerIds: ProducerIdAllocator
    let io: BlockingIOPool
    let appends: AppendSignal
    /// Logs failed appends once per burst.
    let storageFailures = StorageFailureLog()
    /// Consumer groups (classic protocol).
    let groups: GroupCoordinator
    /// Committed offsets of every group, kept durably.
    let offsets: CommittedOffsetStore
    /// Transactional producers and their transactions.
    let transactions: TransactionCoordinator
    /// Tiered storage, when `remote.log.storage.system.enable` is set.
    let tiering: RemoteLogManager?
    /// The host and port clients are told to connect to.
    let advertisedHost: String
    let advertisedPort: Int32
}
