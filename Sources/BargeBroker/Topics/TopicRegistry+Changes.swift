import Foundation
import KafkaLog

extension TopicRegistry {
    /// Replaces a topic's config overrides (blocking) with what `change`
    /// makes of the current ones (given with the config in effect), after
    /// checking the whole result (`LogConfig.applying`, `TopicConfigPolicy`).
    /// The metadata file is written first; only then do the partition logs
    /// and the registry's `Topic.config` take the new config, so that a
    /// refused or failed change leaves everything as it was. With
    /// `validateOnly` nothing is changed. Throws `TopicError`.
    @discardableResult
    func alterConfigs(
        ofTopic name: String, validateOnly: Bool, _ change: ([String: String], LogConfig) throws -> [String: String]
    ) throws -> Topic {
        try mutations.withLock {
            guard var topic = topic(named: name) else {
                throw TopicError(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist")
            }
            let overrides = try change(topic.metadata.configs, topic.config)
            let config = try config(with: overrides)
            try policy.check(config, replacing: topic.config)
            let previous = topic.metadata
            topic.metadata.configs = overrides
            topic.config = config
            if validateOnly { return topic }
            try writeMetadata(topic.metadata, replacing: previous, what: "altering the configs of topic '\(name)'")
            for log in topic.partitions { log.updateConfig(config) }
            state.withLockedValue { $0.topics[name] = topic }
            logger.info("altered topic configs", metadata: ["topic": "\(name)", "overrides": "\(overrides.sorted { $0.key < $1.key })"])
            return topic
        }
    }

    /// Grows a topic to `count` partitions (blocking). The new partitions'
    /// directories are created first, then the metadata file names the new
    /// count: a crash in between leaves directories of no partition, which
    /// `StrayPartitions` clears at the next start. Throws INVALID_PARTITIONS
    /// unless `count` is larger than the current count (and at most 100000).
    @discardableResult
    func addPartitions(toTopic name: String, count: Int32, validateOnly: Bool) throws -> Topic {
        try mutations.withLock {
            guard var topic = topic(named: name) else {
                throw TopicError(code: .unknownTopicOrPartition, message: "topic '\(name)' does not exist")
            }
            let current = topic.metadata.partitionCount
            guard count > current else {
                throw TopicError(code: .invalidPartitions, message: count == current
                    ? "Topic already has \(current) partitions."
                    : "Topic currently has \(current) partitions, which is higher than the requested \(count).")
            }
            guard count <= 100_000 else {
                throw TopicError(code: .invalidPartitions, message: "a topic has at most 100000 partitions, not \(count)")
            }
            let previous = topic.metadata
            topic.metadata.partitionCount = count
            if validateOnly { return topic }
            let added: [PartitionLog]
            do {
                try setAsideStrayDirectories(of: name, current..<count)
                added = try openPartitions(of: name, current..<count, config: topic.config)
            } catch {
                removeDirectories(of: name, current..<count)
                throw TopicError.storageFailure("adding partitions to topic '\(name)'", error, logger: logger)
            }
            do {
                try writeMetadata(topic.metadata, replacing: previous, what: "adding partitions to topic '\(name)'")
            } catch {
                for log in added { try? log.deleteFiles() }
                throw error
            }
            topic.partitions += added
            state.withLockedValue { $0.topics[name] = topic }
            logger.info("added partitions", metadata: ["topic": "\(name)", "from": "\(current)", "to": "\(count)"])
            return topic
        }
    }

    /// Replaces a topic's metadata file durably. When that fails (KAFKA_STORAGE_ERROR),
    /// the new file may already be in place (a directory fsync fails after the
    /// rename): the previous content is written back, so that a refused change
    /// does not come back at the next start.
    private func writeMetadata(_ metadata: TopicMetadata, replacing previous: TopicMetadata, what: String) throws {
        let path = metadataPath(metadata.name)
        do {
            try durable.write(Array(try JSONEncoder().encode(metadata)), to: path)
        } catch {
            do {
                try durable.write(Array(try JSONEncoder().encode(previous)), to: path)
            } catch {
                logger.error("could not restore a topic's metadata file after a failed change; the change may apply at the next start",
                             metadata: ["topic": "\(metadata.name)", "error": "\(error)"])
            }
            throw TopicError.storageFailure(what, error, logger: logger)
        }
    }
}
