import KafkaProtocol
import KafkaSecurity
import Logging

/// What a request handler can reach: the request's header, who sent it, the
/// broker's settings, topics, the blocking-I/O pool and the append signal.
struct RequestContext: Sendable {
    let header: KafkaRequestHeader
    /// Who sent the request.
    let principal: KafkaPrincipal
    /// The client's IP address (`127.0.0.1`), as ACLs name hosts.
    let clientAddress: String
    /// The listener the request came in on.
    let endpoint: ListenerEndpoint
    let broker: BrokerState
    let logger: Logger
    /// The ACLs as they were when the request arrived; nil when no authorizer is configured.
    private let authorizer: AclAuthorizer?

    init(header: KafkaRequestHeader, session: ConnectionSession, broker: BrokerState, logger: Logger) {
        self.header = header
        principal = session.principal ?? .anonymous
        clientAddress = session.clientAddress
        endpoint = session.endpoint
        self.broker = broker
        self.logger = logger
        authorizer = broker.acls?.authorizer
    }

    /// The client's address as Kafka reports it in DescribeGroups ("/127.0.0.1").
    var clientHost: String { "/" + clientAddress }

    /// Whether the client may do `operation` on the named resource (always,
    /// when no authorizer is configured).
    func isAuthorized(_ operation: AclOperation, _ resourceType: AclResourceType, _ name: String) -> Bool {
        guard let authorizer else { return true }
        return authorizer.authorize(
            principal: principal, host: clientAddress, operation: operation, resourceType: resourceType, resourceName: name)
    }

    /// Whether the client may do `operation` on the cluster.
    func isAuthorizedOnCluster(_ operation: AclOperation) -> Bool {
        isAuthorized(operation, .cluster, "kafka-cluster")
    }

    /// Whether the client may create the topic: CREATE on the cluster or on the topic.
    func mayCreate(topic name: String) -> Bool {
        isAuthorizedOnCluster(.create) || isAuthorized(.create, .topic, name)
    }

    /// Whether the client may do `operation` on at least one resource of the
    /// type (Kafka's authorizeByResourceType).
    func isAuthorizedOnAny(_ operation: AclOperation, _ resourceType: AclResourceType) -> Bool {
        guard let authorizer else { return true }
        return authorizer.authorizeAny(principal: principal, host: clientAddress, operation: operation, resourceType: resourceType)
    }

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
    /// The users' SCRAM credentials (SASL logins check them).
    let credentials: ScramCredentialStore
    /// The ACLs, when `authorizer.class.name` is set.
    let acls: AclStore?
}
