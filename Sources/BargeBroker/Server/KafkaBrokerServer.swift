import FileIO
import Foundation
import KafkaProtocol
import Logging
import Metrics
import NIOCore
import NIOPosix

/// The embedded Kafka-compatible broker: a listening socket, the topics in
/// its data directory, and background retention and flushing.
///
/// `start(config:logger:)` opens the data directory and binds (port 0 picks a
/// free port, see `port`); `run()` serves until cancelled, then closes every
/// connection and log.
public final class KafkaBrokerServer: Sendable {
    /// The port the broker listens on.
    public let port: Int
    /// The settings it runs with.
    public let config: BrokerConfig

    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<KafkaInboundRequest, Never>, Never>
    private let state: BrokerState
    private let threadPool: NIOThreadPool
    private let logger: Logger

    private init(
        port: Int, config: BrokerConfig, serverChannel: NIOAsyncChannel<NIOAsyncChannel<KafkaInboundRequest, Never>, Never>,
        state: BrokerState, threadPool: NIOThreadPool, logger: Logger
    ) {
        self.port = port
        self.config = config
        self.serverChannel = serverChannel
        self.state = state
        self.threadPool = threadPool
        self.logger = logger
    }

    /// Opens the data directory (recovering logs) and binds the listening socket.
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
        if config.advertisedHost == nil && ["0.0.0.0", "::"].contains(config.listenHost) {
            throw BrokerConfigError("listening on all interfaces (\(config.listenHost)) needs advertised.listeners (--advertise HOST:PORT), the address clients should connect to")
        }
        let threadPool = NIOThreadPool(numberOfThreads: max(4, System.coreCount * 2))
        threadPool.start()
        var openedTopics: TopicRegistry?
        do {
            let io = BlockingIOPool(threadPool: threadPool)
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
            let limits = KafkaRequestDecoder.Limits(
                maximumFrameSize: config.socketRequestMaxBytes, maximumNonProduceFrameSize: config.nonProduceRequestMaxBytes,
                spoolThreshold: config.produceSpoolThresholdBytes)
            let memory = RequestMemoryPool(capacity: config.queuedMaxRequestBytes < 0 ? nil : config.queuedMaxRequestBytes)
            let spoolDirectory = config.dataDirectory + "/.spool"
            let serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: config.listenHost, port: config.listenPort) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            KafkaRequestDecoder(
                                limits: limits, spoolDirectory: spoolDirectory, fileSystem: fileSystem, threadPool: threadPool, memory: memory))
                        return try NIOAsyncChannel<KafkaInboundRequest, Never>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
                    }
                }
            guard let port = serverChannel.channel.localAddress?.port else {
                throw BrokerConfigError("the listening socket on \(config.listenHost):\(config.listenPort) has no port")
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
                tiering: tiering,
                advertisedHost: config.advertisedHost ?? config.listenHost,
                advertisedPort: Int32(config.advertisedPort ?? port))
            logger.info("broker listening", metadata: [
                "address": "\(config.listenHost):\(port)", "data-dir": "\(config.dataDirectory)", "cluster-id": "\(clusterId)",
            ])
            return KafkaBrokerServer(
                port: port, config: config, serverChannel: serverChannel, state: state, threadPool: threadPool, logger: logger)
        } catch {
            if let openedTopics {
                try? await BlockingIOPool(threadPool: threadPool).run { openedTopics.closeAll() }
            }
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    /// Serves connections until the task is cancelled; then closes the
    /// connections, flushes and closes the logs.
    public func run() async throws {
        let connections = ConnectionHandler(dispatcher: RequestDispatcher(broker: state, logger: logger), logger: logger)
        let maintenance = LogMaintenance(broker: state, logger: logger)
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await maintenance.run() }
                group.addTask { [state] in await state.transactions.run() }
                if let tiering = state.tiering { group.addTask { await tiering.run() } }
                try await serverChannel.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connectionGroup in
                        for try await connection in inbound {
                            connectionGroup.addTask { await connections.serve(connection) }
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
        logger.info("broker stopped")
    }
}
