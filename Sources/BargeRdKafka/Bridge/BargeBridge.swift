import Barge
import Logging
import Metrics
import RdKafka
import ServiceLifecycle

/// Moves records from one topic to another, changing how large payloads
/// travel on the way: ``BridgeMode/externalize(_:)`` takes records from any
/// producer and moves values at or above a threshold into Barge messages (a
/// claim check or chunks); ``BridgeMode/internalize(_:)`` turns Barge
/// messages back into plain records for consumers that cannot change.
///
/// ```swift
/// var options = LargeMessageProducerOptions()
/// options.policy = .claimCheck
/// options.objectStore = store
/// let bridge = BargeBridge(configuration: .init(
///     bootstrapServers: ["127.0.0.1:9092"], groupID: "ingest-bridge", source: "raw", target: "files",
///     mode: .externalize(.init(threshold: 1 << 20, producer: options))))
/// try await ServiceGroup(configuration: .init(services: [.init(service: bridge)], gracefulShutdownSignals: [.sigterm], logger: logger)).run()
/// ```
///
/// Records keep their key, headers, timestamp, partition and order. With
/// transactions (the default) every record is written exactly once: output
/// and source offsets commit together, and a moved payload is named after
/// its source record, so the work redone after a crash stores the same
/// object again rather than a second one. A store or cluster that is down
/// stops the bridge advancing; it retries with backoff and loses nothing.
/// It is a ServiceLifecycle `Service`: on a graceful shutdown each worker
/// finishes its transaction (at most ``BargeBridgeConfiguration/maximumTransactionDuration``
/// of records) and closes.
public final class BargeBridge: Service, Sendable {
    /// The settings.
    public let configuration: BargeBridgeConfiguration
    private let counters: BridgeCounters
    private let logger: Logger

    /// A bridge with `configuration`; counters go to `metrics`.
    public init(configuration: BargeBridgeConfiguration, logger: Logger = Logger(label: "barge.bridge"), metrics: any MetricsFactory = MetricsSystem.factory) {
        self.configuration = configuration
        self.logger = logger
        counters = BridgeCounters(bridge: configuration.groupID, factory: metrics)
    }

    /// What the bridge has moved so far.
    public var statistics: BargeBridgeStatistics { counters.statistics }

    /// Checks the topics, then runs the workers until a graceful shutdown or
    /// cancellation. Throws ``BargeBridgeError`` for settings or topics that
    /// cannot work and for a message the internalize policy stops at; Kafka
    /// and store errors that do not pass by themselves end it too.
    public func run() async throws {
        let recordLimit = try await checkTopics()
        let configuration = self.configuration
        try await withThrowingDiscardingTaskGroup { group in
            for index in 0..<max(1, configuration.parallelism) {
                let logger = workerLogger(index)
                group.addTask { [counters] in
                    do {
                        try await Self.worker(index, configuration: configuration, recordLimit: recordLimit, counters: counters, logger: logger)
                    } catch is CancellationError {
                        return
                    }
                }
            }
        }
    }

    /// Runs worker `index` of the mode's kind.
    private static func worker(
        _ index: Int, configuration: BargeBridgeConfiguration, recordLimit: Int, counters: BridgeCounters, logger: Logger
    ) async throws {
        switch configuration.mode {
        case .externalize(let options) where options.translatesForeignFormats:
            let largestRecord = max(options.producer.policy.chunkSize, options.threshold)
            try await MessageWorker(
                index: index, configuration: configuration, reader: options.reader, largestRecord: largestRecord,
                makeOutput: { producer, settings in
                    TranslatingOutput(
                        target: configuration.target, threshold: options.threshold,
                        producer: try LargeMessageProducer(
                            transport: RdKafkaProducerTransport(producer: producer, configuration: settings), options: options.producer, logger: logger)
                    )
                },
                counters: counters, logger: logger
            ).run()
        case .externalize(let options):
            try await ExternalizingWorker(index: index, configuration: configuration, options: options, counters: counters, logger: logger).run()
        case .internalize(let options):
            try await MessageWorker(
                index: index, configuration: configuration, reader: options.consumer, largestRecord: recordLimit,
                makeOutput: { _, _ in
                    InternalizingOutput(target: configuration.target, recordLimit: recordLimit, tooLarge: options.tooLarge, logger: logger)
                },
                counters: counters, logger: logger
            ).run()
        }
    }

    private func workerLogger(_ index: Int) -> Logger {
        var logger = self.logger
        logger[metadataKey: "worker"] = "\(index)"
        return logger
    }

    /// Checks that the target has a partition for each of the source's (and
    /// a claim check a store); returns the largest record the target takes.
    private func checkTopics() async throws -> Int {
        if case .externalize(let options) = configuration.mode {
            guard options.threshold > 0 else {
                throw BargeBridgeError(.invalidConfiguration, "the threshold must be positive")
            }
            switch options.format {
            case .barge:
                guard !options.producer.policy.usesClaimCheck || options.producer.objectStore != nil else {
                    throw BargeBridgeError(.invalidConfiguration, "externalizing as claim checks needs an object store")
                }
            case .bakdata:
                guard case .s3 = options.producer.objectStore?.location else {
                    throw BargeBridgeError(.invalidConfiguration, "bakdata's format needs an S3 object store (its readers take s3:// URIs)")
                }
            case .linkedIn:
                break
            }
            guard options.producer.encryption == nil else {
                throw BargeBridgeError(.invalidConfiguration,
                    "the bridge does not encrypt claim checks yet: work redone after a crash rewrites an object under a new data key, which the reference committed before no longer opens")
            }
            guard options.format == .barge || !options.translatesForeignFormats else {
                throw BargeBridgeError(.invalidConfiguration, "a foreign topic is translated into Barge's format only")
            }
        }
        guard configuration.source != configuration.target else {
            throw BargeBridgeError(.invalidConfiguration, "the source and target topics are the same (\(configuration.source))")
        }
        var settings = configuration.producer
        settings.transactionalID = nil
        let probe = try KafkaProducer(configuration: settings, logger: logger)
        do {
            let sourcePartitions = try await probe.partitionCount(of: configuration.source, timeout: Self.startTimeout)
            let targetPartitions = try await probe.partitionCount(of: configuration.target, timeout: Self.startTimeout)
            guard targetPartitions >= sourcePartitions else {
                throw BargeBridgeError(.invalidConfiguration,
                    "topic \(configuration.target) has \(targetPartitions) partitions, fewer than the \(sourcePartitions) of \(configuration.source): records keep their partition")
            }
            let topicLimit = try await probe.describeTopicConfig(configuration.target, timeout: Self.startTimeout)["max.message.bytes"].flatMap { Int($0) }
            try await probe.close()
            let recordLimit = topicLimit ?? Self.defaultRecordLimit
            if case .externalize(let options) = configuration.mode, options.threshold > recordLimit {
                throw BargeBridgeError(.invalidConfiguration,
                    "values just under the threshold (\(options.threshold) bytes) pass unchanged, but topic \(configuration.target) takes records of at most \(recordLimit) bytes: lower the threshold")
            }
            return recordLimit
        } catch {
            try? await probe.close()
            throw error
        }
    }

    /// How long each start-up question to the cluster may take: a new
    /// client's first metadata request on a loaded machine can take more than
    /// the client's 10 s default.
    private static let startTimeout: Duration = .seconds(30)

    /// Kafka's default `max.message.bytes`, for a cluster that does not say.
    private static let defaultRecordLimit = 1_048_588
}
