import BargeLog
import Foundation
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

/// A topic operation refused with a Kafka error code and a message for the client.
struct TopicError: Error, CustomStringConvertible {
    let code: KafkaErrorCode
    let message: String
    var description: String { "\(code.name): \(message)" }
}

/// Owns every topic: creates, loads, finds and deletes them, and keeps their
/// metadata in `<data-dir>/__topics/`. Methods that touch files block; call
/// them through the broker's `BlockingIOPool`.
final class TopicRegistry: Sendable {
    private struct State {
        var topics: [String: Topic] = [:]
        var names: [KafkaUUID: String] = [:]
    }

    private let state = NIOLockedValueBox(State())
    /// Held for the whole of a creation or deletion (file work included), so
    /// that two of them never touch the same topic's files at once.
    private let mutations = NIOLock()
    private let dataDirectory: String
    private let defaults: LogConfig
    private let logger: Logger

    private var metadataDirectory: String { dataDirectory + "/__topics" }

    /// Opens (or creates) the data directory and every topic stored in it.
    init(dataDirectory: String, defaults: LogConfig, logger: Logger) throws {
        self.dataDirectory = dataDirectory
        self.defaults = defaults
        self.logger = logger
        try FileManager.default.createDirectory(atPath: dataDirectory + "/__topics", withIntermediateDirectories: true)
        for file in try FileManager.default.contentsOfDirectory(atPath: metadataDirectory).sorted() where file.hasSuffix(".json") {
            let data = try Data(contentsOf: URL(fileURLWithPath: metadataDirectory + "/" + file))
            let metadata = try JSONDecoder().decode(TopicMetadata.self, from: data)
            let topic = try open(metadata)
            state.withLockedValue { state in
                state.topics[metadata.name] = topic
                state.names[topic.id] = metadata.name
            }
            logger.info("loaded topic", metadata: ["topic": "\(metadata.name)", "partitions": "\(metadata.partitionCount)"])
        }
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
            throw TopicError(code: .invalidConfig, message: "\(error)")
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
        _ = try config(with: configs)
        return try mutations.withLock {
            try createLocked(name: name, partitions: partitions, configs: configs, validateOnly: validateOnly)
        }
    }

    private func createLocked(name: String, partitions: Int32, configs: [String: String], validateOnly: Bool) throws -> Topic {
        if topic(named: name) != nil {
            throw TopicError(code: .topicAlreadyExists, message: "topic '\(name)' already exists")
        }
        let metadata = TopicMetadata(name: name, id: KafkaUUID.random().description, partitionCount: partitions, configs: configs)
        if validateOnly { return Topic(metadata: metadata, config: try config(with: configs), partitions: []) }
        let topic = try open(metadata)
        do {
            try DurableFile.write(try JSONEncoder().encode(metadata), to: metadataPath(name))
        } catch {
            for log in topic.partitions { try? log.close() }
            throw TopicError(code: .kafkaStorageError, message: "cannot store topic '\(name)': \(error)")
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
        try? FileManager.default.removeItem(atPath: metadataPath(name))
        DurableFile.syncDirectory(of: metadataPath(name))
        for log in topic.partitions {
            try log.deleteFiles()
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

    private func open(_ metadata: TopicMetadata) throws -> Topic {
        let config = try config(with: metadata.configs)
        var logs: [PartitionLog] = []
        do {
            for index in 0..<metadata.partitionCount {
                let directory = "\(dataDirectory)/\(metadata.name)-\(index)"
                logs.append(try PartitionLog.open(directory: directory, config: config, logger: logger))
            }
        } catch {
            for log in logs { try? log.close() }
            throw TopicError(code: .kafkaStorageError, message: "cannot open logs of topic '\(metadata.name)': \(error)")
        }
        return Topic(metadata: metadata, config: config, partitions: logs)
    }

    private func metadataPath(_ name: String) -> String { "\(metadataDirectory)/\(name).json" }
}
