import BargeCore
import FileIO
import Foundation
import KafkaLog
import Logging
import Metrics
import NIOConcurrencyHelpers
import ObjectStore

/// Tiered storage in the broker (KIP-405), Kafka's `RemoteLogManager`: every
/// `remote.log.manager.task.interval.ms` it copies the closed segments of
/// topics with `remote.storage.enable` to the remote tier, lets local
/// retention drop what is copied, applies the total retention to the remote
/// tier, and removes what deleted topics left there; and it serves reads
/// below the local log (`RemoteLogManager+Reading`).
final class RemoteLogManager: Sendable {
    let config: RemoteStorageConfig
    let store: any ObjectStore
    let topics: TopicRegistry
    let io: BlockingIOPool
    let fileSystem: any FileSystemIO
    let logger: Logger
    let metrics: TieringMetrics
    let keyring: BargeKeyring?
    let cache: RemoteChunkCache
    let copier: RemoteSegmentCopier
    let fetchRate: ByteRateLimiter
    private let metadataDirectory: String
    private let partitions = NIOLockedValueBox<[PartitionKey: RemotePartitionMetadata]>([:])

    struct PartitionKey: Hashable, Sendable {
        var topicId: String
        var partition: Int32
    }

    /// Opens the remote tier when `remote.log.storage.system.enable` is set (nil otherwise):
    /// the store, the keyring, and an empty chunk cache.
    static func start(config brokerConfig: BrokerConfig, topics: TopicRegistry, io: BlockingIOPool,
                      fileSystem: any FileSystemIO, logger: Logger, metricsFactory: any MetricsFactory) async throws -> RemoteLogManager? {
        let config = brokerConfig.remoteStorage
        guard config.systemEnable, let url = config.storageURL else { return nil }
        let store = try ObjectStoreURL(url).open(logger: logger)
        var keyring: BargeKeyring?
        if let path = config.encryptionKeyring {
            keyring = try await io.run {
                guard let bytes = try fileSystem.readWholeFile(path, limit: 1 << 20), let text = String(validating: bytes, as: UTF8.self) else {
                    throw BrokerConfigError("rsm.config.encryption.keyring: '\(path)' does not exist or is not UTF-8 text")
                }
                return try BargeKeyring(fileContents: text)
            }
        }
        let cacheDirectory = config.cachePath ?? brokerConfig.dataDirectory + "/__remote-cache"
        let metrics = TieringMetrics(factory: metricsFactory)
        let metadataDirectory = brokerConfig.dataDirectory + "/" + RemotePartitionMetadata.directoryName
        try await io.run { try fileSystem.makeDirectories(metadataDirectory, durably: true) }
        let cache = try await io.run {
            try RemoteChunkCache(directory: cacheDirectory, capacity: config.cacheSizeBytes, fileSystem: fileSystem, io: io,
                                 metrics: metrics, logger: logger)
        }
        let manager = RemoteLogManager(config: config, store: store, topics: topics, io: io, fileSystem: fileSystem, logger: logger,
                                       metrics: metrics, keyring: keyring, cache: cache, metadataDirectory: metadataDirectory)
        logger.info("tiered storage on", metadata: [
            "remote": "\(store.location)", "cache": "\(cacheDirectory)", "encrypted": "\(keyring != nil)",
            "compressed": "\(config.compressionEnabled)",
        ])
        return manager
    }

    private init(config: RemoteStorageConfig, store: any ObjectStore, topics: TopicRegistry, io: BlockingIOPool,
                 fileSystem: any FileSystemIO, logger: Logger, metrics: TieringMetrics, keyring: BargeKeyring?, cache: RemoteChunkCache,
                 metadataDirectory: String) {
        self.config = config
        self.store = store
        self.topics = topics
        self.io = io
        self.fileSystem = fileSystem
        self.logger = logger
        self.metrics = metrics
        self.keyring = keyring
        self.cache = cache
        self.metadataDirectory = metadataDirectory
        self.fetchRate = ByteRateLimiter(bytesPerSecond: config.fetchMaxBytesPerSecond)
        self.copier = RemoteSegmentCopier(store: store, io: io, config: config, keyring: keyring,
                                          rate: ByteRateLimiter(bytesPerSecond: config.copyMaxBytesPerSecond), metrics: metrics)
    }

    /// Runs the tasks until cancelled: first the metadata of every partition
    /// is loaded (so local retention knows what is copied) and objects of
    /// topics that no longer exist are removed; then a pass every task interval.
    func run() async {
        for topic in topics.allTopics {
            for index in topic.partitions.indices {
                _ = try? await metadata(of: topic, partition: Int32(index))
            }
        }
        await removeObjectsOfUnknownTopics()
        await runOnce()
        await repeatedly(every: config.taskIntervalMs) { await runOnce() }
    }

    /// One pass over every partition: copy, retention, and the topics deleted since the last pass.
    func runOnce() async {
        let current = topics.allTopics
        var lag: Int64 = 0
        for topic in current {
            for (index, log) in topic.partitions.enumerated() {
                do {
                    try await maintain(topic: topic, partition: Int32(index), log: log)
                } catch is CancellationError {
                    return
                } catch {
                    metrics.failures.increment()
                    logger.warning("tiered storage task failed; it is retried at the next run", metadata: [
                        "topic": "\(topic.name)", "partition": "\(index)", "error": "\(error)",
                    ])
                }
                if log.config.remoteStorageEnable { lag += Int64(log.bytesNotCopied) }
            }
        }
        metrics.copyLagBytes.record(lag)
        await forgetDeletedTopics(known: Set(current.map { $0.metadata.id }))
    }

    /// The remote metadata of a partition, loaded on first use: unfinished
    /// copies and deletions of an earlier run are cleaned up, and the log
    /// learns how far copies reach.
    func metadata(of topic: Topic, partition: Int32) async throws -> RemotePartitionMetadata {
        let key = PartitionKey(topicId: topic.metadata.id, partition: partition)
        if let loaded = partitions.withLockedValue({ $0[key] }) { return loaded }
        let log = topic.partitions[Int(partition)]
        let keys = RemoteObjectKeys(topic: topic.name, topicId: topic.metadata.id, partition: partition)
        let (fileSystem, directory) = (self.fileSystem, metadataDirectory)
        let metadata = try await io.run { try RemotePartitionMetadata(directory: directory, keys: keys, fileSystem: fileSystem) }
        try await cleanUnfinished(metadata)
        if let copiedEnd = metadata.copiedEndOffset, log.config.remoteStorageEnable { log.markCopied(through: copiedEnd) }
        return partitions.withLockedValue { partitions in
            if let raced = partitions[key] { return raced }
            partitions[key] = metadata
            return metadata
        }
    }

    /// Removes the objects of copies that did not finish and finishes deletions that were started.
    private func cleanUnfinished(_ metadata: RemotePartitionMetadata) async throws {
        let unfinished = metadata.segments.filter { $0.state == .copySegmentStarted || $0.state == .deleteSegmentStarted }
        guard !unfinished.isEmpty else { return }
        for segment in unfinished {
            for key in try metadata.keys.all(segment) { try await store.delete(key) }
            if segment.state == .deleteSegmentStarted { metrics.deletedSegments.increment() }
            logger.info(segment.state == .copySegmentStarted ? "removed an unfinished copy to the remote tier" : "finished deleting a remote segment",
                        metadata: ["topic": "\(metadata.keys.topic)", "partition": "\(metadata.keys.partition)", "baseOffset": "\(segment.baseOffset)"])
        }
        let ids = Set(unfinished.map(\.segmentId))
        try await io.run { try metadata.update { $0.removeAll { ids.contains($0.segmentId) } } }
    }

    /// Copies, local retention's knowledge of copies, and remote retention of one partition.
    private func maintain(topic: Topic, partition: Int32, log: PartitionLog) async throws {
        let metadata = try await metadata(of: topic, partition: partition)
        try await cleanUnfinished(metadata)
        let config = log.config
        guard config.remoteStorageEnable else {
            if !metadata.segments.isEmpty { try await deleteAll(metadata, log: log, reason: "remote.storage.enable=false") }
            return
        }
        if !config.remoteLogCopyDisable { try await copyClosedSegments(metadata, log: log) }
        try await applyRetention(metadata, log: log, config: config)
    }

    /// Copies the closed segments past the last copied one, oldest first (an idle active segment is rolled by `segment.ms` first).
    private func copyClosedSegments(_ metadata: RemotePartitionMetadata, log: PartitionLog) async throws {
        let now = Date.nowMilliseconds
        try await io.run { try log.rollIfIdle(now: now) }
        while !Task.isCancelled {
            let from = max(metadata.copiedEndOffset ?? 0, log.localLogStartOffset)
            guard let segment = try await io.run({ try log.closedSegments(from: from, limit: 1) }).first else { return }
            defer { segment.close() }
            let copied = try await copier.copy(segment, into: metadata, now: now)
            log.markCopied(through: copied.endOffset)
            logger.info("copied a segment to the remote tier", metadata: [
                "topic": "\(metadata.keys.topic)", "partition": "\(metadata.keys.partition)",
                "baseOffset": "\(copied.baseOffset)", "endOffset": "\(copied.endOffset)", "bytes": "\(copied.size)",
                "storedBytes": "\(copied.layout?.logStoredSize ?? 0)",
            ])
        }
    }

    /// Forgets partitions of topics that are gone and removes their objects.
    private func forgetDeletedTopics(known: Set<String>) async {
        let gone = partitions.withLockedValue { partitions in
            let gone = partitions.filter { !known.contains($0.key.topicId) }
            for key in gone.keys { partitions.removeValue(forKey: key) }
            return gone
        }
        var prefixes: Set<String> = []
        for metadata in gone.values { prefixes.insert(RemoteObjectKeys.topicPrefix(topic: metadata.keys.topic, topicId: metadata.keys.topicId)) }
        for prefix in prefixes { await removeObjects(prefix: prefix, reason: "the topic was deleted") }
        // The metadata goes last: until then a restart finds the objects by the topic's id (see removeObjectsOfUnknownTopics).
        for metadata in gone.values {
            do { try await io.run { try metadata.removeFile() } } catch {
                logger.warning("could not remove a deleted topic's remote metadata", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Removes the objects of topics this broker does not have (deleted while it was down, or before a crash finished it).
    private func removeObjectsOfUnknownTopics() async {
        let known = Set(topics.allTopics.map { $0.metadata.id })
        var prefixes: Set<String> = []
        do {
            for try await object in store.list(prefix: "") {
                guard let id = RemoteObjectKeys.topicId(inKey: object.key.rawValue), !known.contains(id),
                      let slash = object.key.rawValue.firstIndex(of: "/") else { continue }
                prefixes.insert(String(object.key.rawValue[...slash]))
            }
        } catch {
            logger.warning("could not list the remote tier to remove deleted topics' objects", metadata: ["error": "\(error)"])
            return
        }
        for prefix in prefixes.sorted() { await removeObjects(prefix: prefix, reason: "no topic has this id") }
        let (fileSystem, directory) = (self.fileSystem, metadataDirectory)
        do {
            try await io.run {
                for name in try fileSystem.list(directory) where name.hasSuffix(".json") {
                    guard let dash = name.lastIndex(of: "-"), !known.contains(String(name[..<dash])) else { continue }
                    try fileSystem.removeIfPresent("\(directory)/\(name)")
                }
            }
        } catch {
            logger.warning("could not remove the remote metadata of deleted topics", metadata: ["error": "\(error)"])
        }
    }

    private func removeObjects(prefix: String, reason: String) async {
        do {
            var count = 0
            for try await object in store.list(prefix: prefix) {
                try await store.delete(object.key)
                count += 1
            }
            logger.info("removed a topic's objects from the remote tier", metadata: ["prefix": "\(prefix)", "objects": "\(count)", "reason": "\(reason)"])
        } catch {
            metrics.failures.increment()
            logger.warning("could not remove a deleted topic's objects from the remote tier; retried at the next start",
                           metadata: ["prefix": "\(prefix)", "error": "\(error)"])
        }
    }
}
