import FileIO
import Foundation
import KafkaLog
import KafkaProtocol
import Logging
import NIOConcurrencyHelpers

/// A topic with its open partition logs.
struct Topic: Sendable {
    var metadata: TopicMetadata
    var config: LogConfig
    var partitions: [PartitionLog]

    var name: String { metadata.name }
    var id: KafkaUUID { metadata.topicId }
}

/// A topic operation refused with a Kafka error code and a message for the
/// client. Messages never name files: a storage failure is logged for the
/// operator with its details, and the client gets `storageFailure`'s sentence.
struct TopicError: Error, CustomStringConvertible {
    let code: KafkaErrorCode
    let message: String
    var description: String { "\(code.name): \(message)" }

    /// KAFKA_STORAGE_ERROR for a client, after logging `error` (which may name files) for the operator.
    static func storageFailure(_ what: String, _ error: any Error, logger: Logger) -> TopicError {
        logger.error("\(what) failed", metadata: ["error": "\(error)"])
        return TopicError(code: .kafkaStorageError, message: "\(what) failed: the broker could not write to its data directory (its log says why)")
    }
}

/// Owns every topic: creates, loads, finds and deletes them, and keeps their
/// metadata in `<data-dir>/__topics/`. Methods that touch files block; call
/// them through the broker's `BlockingIOPool`.
final class TopicRegistry: Sendable {
    struct State {
        var topics: [String: Topic] = [:]
        var names: [KafkaUUID: String] = [:]
    }

    let state = NIOLockedValueBox(State())
    /// Held for the whole of a creation or deletion (file work included), so
    /// that two of them never touch the same topic's files at once.
    let mutations = NIOLock()
    private let dataDirectory: String
    private let defaults: LogConfig
    /// The checks of whole topic configurations.
    let policy: TopicConfigPolicy
    let logger: Logger
    let fileSystem: any FileSystemIO
    var durable: DurableFile { DurableFile(fileSystem: fileSystem) }
    var stray: StrayPartitions { StrayPartitions(dataDirectory: dataDirectory, logger: logger, fileSystem: fileSystem) }

    private var metadataDirectory: String { dataDirectory + "/__topics" }

    /// Opens (or creates) the data directory and every topic stored in it.
    /// What interrupted writes left behind is cleared, with a log line:
    /// temporary metadata files, and partition directories of no topic
    /// (see `StrayPartitions`).
    init(dataDirectory: String, defaults: LogConfig, policy: TopicConfigPolicy, logger: Logger, fileSystem: any FileSystemIO = PosixFileSystem()) throws {
        self.dataDirectory = dataDirectory
        self.defaults = defaults
        self.policy = policy
        self.logger = logger
        self.fileSystem = fileSystem
        try fileSystem.makeDirectories(metadataDirectory, durably: true)
        for name in try durable.removeLeftovers(in: metadataDirectory) {
            logger.info("removed a temporary topic metadata file left by an interrupted write", metadata: ["file": "\(name)"])
        }
        for file in try fileSystem.list(metadataDirectory).sorted() where file.hasSuffix(".json") {
            let data = try fileSystem.readWholeFile(metadataDirectory + "/" + file) ?? []
            let metadata = try JSONDecoder().decode(TopicMetadata.self, from: Data(data))
            let topic = try open(metadata)
            state.withLockedValue { state in
                state.topics[metadata.name] = topic
                state.names[topic.id] = metadata.name
            }
            logger.info("loaded topic", metadata: ["topic": "\(metadata.name)", "partitions": "\(metadata.partitionCount)"])
        }
        let counts = state.withLockedValue { $0.topics.mapValues(\.metadata.partitionCount) }
        try stray.sweep(partitionCounts: counts)
    }

    func topic(named name: String) -> Topic? { state.withLockedValue { $0.topics[name] } }

    func topic(id: KafkaUUID) -> Topic? {
        state.withLockedValue { state in state.names[id].flatMap { state.topics[$0] } }
    }

    /// Every topic, by name.
    var allTopics: [Topic] { state.withLockedValue { $0.topics.values.sorted { $0.name < $1.name } } }

    /// The log of one partition, if the topic and partition exist.
    func partition(topic name: String, index: Int32) -> PartitionLog? {
        guard let topic = topic(named: name), index >= 0, Int(index) < topic.partitions.count else { return nil }
        return topic.partitions[Int(index)]
    }

    /// The log config a topic would get with these overrides; throws INVALID_CONFIG.
    func config(with overrides: [String: String]) throws -> LogConfig {
        do {
            return try defaults.applying(overrides)
        } catch {
            throw TopicError(code: .invalidConfig, message: error.message)
        }
    }

    /// Creates a topic (blocking). Throws `TopicError` for a bad name, count or
    /// config, or a topic that exists.
    @discardableResult
    func createTopic(name: String, partitions: Int32, configs: [String: String], validateOnly: Bool = false) throws -> Topic {
        if let problem = TopicName.problem(with: name) {
            throw TopicError(code: .invalidTopicException, message: problem)
        }
        guard partitions >= 1, partitions <= 100_000 else {
            throw TopicError(code: .invalidPartitions, message: "a topic needs 1 to 100000 partitions, not \(partitions)")
        }
        try policy.check(try config(with: configs), replacing: nil)
        return try mutations.withLock {
            try createLocked(name: name, partitions: partitions, configs: configs, validateOnly: validateOnly)
        }
    }

    /// Creates the topic's logs, then its metadata file. When either fails,
    /// nothing of the topic stays on disk.
    private func createLocked(name: String, partitions: Int32, configs: [String: String], validateOnly: Bool) throws -> Topic {
        if topic(named: name) != nil {
            throw TopicError(code: .topicAlreadyExists, message: "topic '\(name)' already exists")
        }
        if let other = TopicName.collision(of: name, among: state.withLockedValue { Array($0.topics.keys) }) {
            throw TopicError(code: .invalidTopicException, message: "topic '\(name)' collides with existing topic '\(other)': Kafka takes '.' and '_' in topic names as the same")
        }
        let metadata = TopicMetadata(name: name, id: KafkaUUID.random().description, partitionCount: partitions, configs: configs)
        if validateOnly { return Topic(metadata: metadata, config: try config(with: configs), partitions: []) }
        let topic: Topic
        do {
            try setAsideStrayDirectories(of: name, 0..<partitions)
        } catch {
            throw TopicError.storageFailure("creating topic '\(name)'", error, logger: logger)
        }
        do {
            topic = try open(metadata)
        } catch {
            removeDirectories(of: name, 0..<partitions)
            throw TopicError.storageFailure("creating topic '\(name)'", error, logger: logger)
        }
        do {
            try durable.write(Array(try JSONEncoder().encode(metadata)), to: metadataPath(name))
        } catch {
            for log in topic.partitions { try? log.deleteFiles() }
            throw TopicError.storageFailure("creating topic '\(name)'", error, logger: logger)
        }
        state.withLockedValue { state in
            state.topics[name] = topic
            state.names[topic.id] = name
        }
        logger.info("created topic", metadata: ["topic": "\(name)", "partitions": "\(partitions)"])
        return topic
    }

    /// Returns the topic, creating it with the broker defaults when it is missing.
    func topicCreatingIfNeeded(name: String, partitions: Int32) throws -> Topic {
        if let topic = topic(named: name) { return topic }
        do {
            return try createTopic(name: name, partitions: partitions, configs: [:])
        } catch let error as TopicError where error.code == .topicAlreadyExists {
            guard let topic = topic(named: name) else { throw error }
            return topic
        }
    }

    /// Deletes a topic and its logs (blocking).
    func deleteTopic(named name: String) throws {
        try mutations.withLock { try deleteLocked(named: name) }
    }

    private func deleteLocked(named name: String) throws {
        guard let topic = state.withLockedValue({ state -> Topic? in
            guard let topic = state.topics.removeValue(forKey: name) else { return nil }
            state.names.removeValue(forKey: topic.id)
            return topic
        }) else {
            throw TopicError(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist")
        }
        do {
            try fileSystem.removeIfPresent(metadataPath(name))
            try durable.syncDirectory(of: metadataPath(name))
            for log in topic.partitions { try log.deleteFiles() }
        } catch {
            // The topic is gone; what is left of its directories is handled at the next start.
            throw TopicError.storageFailure("deleting the files of topic '\(name)'", error, logger: logger)
        }
        logger.info("deleted topic", metadata: ["topic": "\(name)"])
    }

    /// Flushes and closes every log (blocking).
    func closeAll() {
        for topic in allTopics {
            for log in topic.partitions {
                do { try log.close() } catch { logger.error("closing log failed", metadata: ["topic": "\(topic.name)", "error": "\(error)"]) }
            }
        }
    }

    /// Opens (creating them if needed) the logs of a topic; throws the first failure.
    private func open(_ metadata: TopicMetadata) throws -> Topic {
        let config = try config(with: metadata.configs)
        let logs = try openPartitions(of: metadata.name, 0..<metadata.partitionCount, config: config)
        return Topic(metadata: metadata, config: config, partitions: logs)
    }

    /// Opens (creating them if needed) the logs of some partitions of a topic; throws the first failure.
    func openPartitions(of topic: String, _ indexes: Range<Int32>, config: LogConfig) throws -> [PartitionLog] {
        var logs: [PartitionLog] = []
        do {
            for index in indexes {
                logs.append(try PartitionLog.open(directory: partitionDirectory(topic, index), config: config, logger: logger, fileSystem: fileSystem))
            }
        } catch {
            for log in logs { try? log.close() }
            throw error
        }
        return logs
    }

    /// Moves partition directories that a new topic would adopt out of the way
    /// (none exist unless files were changed behind the broker's back).
    func setAsideStrayDirectories(of topic: String, _ indexes: Range<Int32>) throws {
        let stray = self.stray
        for index in indexes where fileSystem.exists(partitionDirectory(topic, index)) {
            try stray.setAside("\(topic)-\(index)")
        }
    }

    /// Removes what a failed creation left of a topic's partition directories.
    func removeDirectories(of topic: String, _ indexes: Range<Int32>) {
        for index in indexes {
            let directory = partitionDirectory(topic, index)
            do {
                try fileSystem.removeTree(directory)
            } catch {
                logger.error("could not remove a partition directory of a topic whose creation failed; it will be handled at the next start",
                             metadata: ["directory": "\(directory)", "error": "\(error)"])
            }
        }
        do {
            try durable.syncDirectory(of: partitionDirectory(topic, indexes.lowerBound))
        } catch {
            logger.error("could not force the removal of a failed topic's directories to disk", metadata: ["error": "\(error)"])
        }
    }

    func partitionDirectory(_ topic: String, _ index: Int32) -> String { "\(dataDirectory)/\(topic)-\(index)" }

    func metadataPath(_ name: String) -> String { "\(metadataDirectory)/\(name).json" }
}
