import FileIO
import Foundation
import KafkaProtocol
import Logging
import Metrics
import NIOCore
import NIOPosix

/// The embedded Kafka-compatible broker: its listening sockets, the topics in
/// its data directory, and background retention and flushing.
///
/// `start(config:logger:)` opens the data directory and binds every listener
/// (port 0 picks a free port, see `port` and `ports`); `run()` serves until
/// cancelled, then closes every connection and log.
public final class KafkaBrokerServer: Sendable {
    /// The port of the first listener.
    public var port: Int { ports[0] }
    /// The bound port of each listener, in the order of `listeners`.
    public let ports: [Int]
    /// The settings it runs with.
    public let config: BrokerConfig

    private let listeners: [BoundListener]
    private let state: BrokerState
    private let lock: DataDirectoryLock
    private let threadPool: NIOThreadPool
    private let logger: Logger

    private init(
        config: BrokerConfig, listeners: [BoundListener], state: BrokerState, lock: DataDirectoryLock, threadPool: NIOThreadPool, logger: Logger
    ) {
        self.ports = listeners.map(\.port)
        self.config = config
        self.listeners = listeners
        self.state = state
        self.lock = lock
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Locks the data directory (``DataDirectoryLock``), opens it (recovering
    /// logs) and binds the listening sockets.
    ///
    /// - Parameters:
    ///   - fileSystem: where the data directory is; tests pass an
    ///     `InMemoryFileSystem` to make the disk fail. Default: the real one.
    ///   - metricsFactory: where the broker's metrics go. Default: the
    ///     process's bootstrapped swift-metrics backend.
    public static func start(
        config: BrokerConfig, logger: Logger, fileSystem: any FileSystemIO = PosixFileSystem(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) async throws -> KafkaBrokerServer {
        try config.validateListeners()
        for listener in config.listeners where ["0.0.0.0", "::"].contains(listener.host) {
            guard config.advertisedListeners.contains(where: { $0.name == listener.name }) else {
                throw BrokerConfigError("listener \(listener.name) on all interfaces (\(listener.host)) needs advertised.listeners (--advertise HOST:PORT), the address clients should connect to")
            }
        }
        let threadPool = NIOThreadPool(numberOfThreads: max(4, System.coreCount * 2))
        threadPool.start()
        var openedTopics: TopicRegistry?
        var lock: DataDirectoryLock?
        do {
            let io = BlockingIOPool(threadPool: threadPool)
            let dataDirectoryLock = try await io.run { try DataDirectoryLock.acquire(config.dataDirectory, fileSystem: fileSystem) }
            lock = dataDirectoryLock
            let (topics, producerIds, clusterId, offsets, transactionStore) = try await io.run {
                let topics = try TopicRegistry(
                    dataDirectory: config.dataDirectory, defaults: config.topicDefaults,
                    policy: TopicConfigPolicy(remoteStorageSystemEnabled: config.remoteStorage.systemEnable), logger: logger, fileSystem: fileSystem)
                let producerIds = try ProducerIdAllocator(dataDirectory: config.dataDirectory, fileSystem: fileSystem)
                let clusterId = try ClusterIdentity.load(
                    dataDirectory: config.dataDirectory, configured: config.clusterId, fileSystem: fileSystem)
                let offsets = try CommittedOffsetStore(
                    dataDirectory: config.dataDirectory, maxMetadataBytes: config.offsetMetadataMaxBytes, logger: logger,
                    fileSystem: fileSystem)
                let transactionStore = try TransactionStateStore(dataDirectory: config.dataDirectory, logger: logger, fileSystem: fileSystem)
                return (topics, producerIds, clusterId, offsets, transactionStore)
            }
            openedTopics = topics
            let tiering = try await RemoteLogManager.start(config: config, topics: topics, io: io, fileSystem: fileSystem, logger: logger,
                                                            metricsFactory: metricsFactory)
            let (credentials, acls) = try await io.run {
                (try ScramCredentialStore(dataDirectory: config.dataDirectory, fileSystem: fileSystem),
                 config.security.authorizerEnabled
                    ? try AclStore(dataDirectory: config.dataDirectory, config: config.security, fileSystem: fileSystem) : nil)
            }
            var limits = KafkaRequestDecoder.Limits(
                maximumFrameSize: config.socketRequestMaxBytes, maximumNonProduceFrameSize: config.nonProduceRequestMaxBytes,
                spoolThreshold: config.produceSpoolThresholdBytes)
            limits.maximumFrameSizeBeforeAuthentication = config.security.maxReceiveSizeBeforeAuthentication
            let binder = ListenerBinder(
                config: config, limits: limits, memory: RequestMemoryPool(capacity: config.queuedMaxRequestBytes < 0 ? nil : config.queuedMaxRequestBytes),
                limiter: ConnectionLimiter(config: config.security), fileSystem: fileSystem, threadPool: threadPool, logger: logger)
            var bound: [BoundListener] = []
            do {
                for listener in config.listeners {
                    let securityProtocol = config.securityProtocol(of: listener)
                    let tls = securityProtocol.usesTLS
                        ? try BrokerTLS.makeContext(
                            config.tls, clientAuthentication: config.tls.clientAuthentication(for: listener, protocol: securityProtocol),
                            fileSystem: fileSystem)
                        : nil
                    bound.append(try await binder.bind(listener, tls: tls))
                }
            } catch {
                for listener in bound { try? await listener.channel.channel.close() }
                throw error
            }
            let appends = AppendSignal()
            let transactions = TransactionCoordinator(
                configuration: config.transactions, store: transactionStore, topics: topics, offsets: offsets, producerIds: producerIds,
                io: io, appends: appends, logger: logger)
            // Before any request is served, so that no transaction begins meanwhile.
            await transactions.repairHangingTransactions()
            let state = BrokerState(
                config: config, clusterId: clusterId, topics: topics, producerIds: producerIds, io: io,
                appends: appends, groups: GroupCoordinator(configuration: config.groups), offsets: offsets, transactions: transactions,
                tiering: tiering, credentials: credentials, acls: acls)
            for listener in bound {
                logger.info("broker listening", metadata: [
                    "listener": "\(listener.endpoint.listener.name)", "protocol": "\(listener.endpoint.securityProtocol.rawValue)",
                    "address": "\(listener.endpoint.listener.host):\(listener.port)",
                ])
                if !["127.0.0.1", "::1", "localhost"].contains(listener.endpoint.listener.host) && listener.endpoint.securityProtocol == .plaintext {
                    logger.warning("listener \(listener.endpoint.listener.name) on \(listener.endpoint.listener.host) takes connections from other machines without TLS or SASL: anyone who can reach the port can read and delete every topic. Use SASL_SSL (see docs/security.md).")
                }
            }
            logger.info("broker started", metadata: ["data-dir": "\(config.dataDirectory)", "cluster-id": "\(clusterId)"])
            return KafkaBrokerServer(
                config: config, listeners: bound, state: state, lock: dataDirectoryLock, threadPool: threadPool, logger: logger)
        } catch {
            if let openedTopics {
                try? await BlockingIOPool(threadPool: threadPool).run { openedTopics.closeAll() }
            }
            lock?.release()
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    /// Serves connections until the task is cancelled; then closes the
    /// connections, flushes and closes the logs.
    public func run() async throws {
        let connections = ConnectionHandler(
            dispatcher: RequestDispatcher(broker: state, logger: logger), logger: logger)
        let maintenance = LogMaintenance(broker: state, logger: logger)
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await maintenance.run() }
                group.addTask { [state] in await state.transactions.run() }
                if let tiering = state.tiering { group.addTask { await tiering.run() } }
                try await withThrowingDiscardingTaskGroup { listenerGroup in
                    for listener in listeners {
                        listenerGroup.addTask {
                            try await listener.channel.executeThenClose { inbound in
                                try await withThrowingDiscardingTaskGroup { connectionGroup in
                                    for try await accepted in inbound {
                                        connectionGroup.addTask {
                                            await connections.serve(accepted.connection, endpoint: listener.endpoint, gate: accepted.gate)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                group.cancelAll()
            }
        } catch is CancellationError {
        } catch {
            await close()
            throw error
        }
        await close()
    }

    private func close() async {
        await state.groups.shutdown()
        let (topics, offsets, transactionStore) = (state.topics, state.offsets, state.transactions.store)
        try? await state.io.run {
            topics.closeAll()
            offsets.close()
            transactionStore.close()
        }
        try? await threadPool.shutdownGracefully()
        lock.release()
        logger.info("broker stopped")
    }
}
