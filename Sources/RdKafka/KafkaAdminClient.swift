import CRdKafka
import Logging

/// Topic administration over librdkafka's admin API: create, delete,
/// describe and change configs, add partitions, delete records, list topics
/// and partitions. Every call runs on a
/// thread of its own and waits at most its timeout.
public final class KafkaAdminClient: Sendable {
    private let handle: RDKafkaHandle
    private let pollThread: LoopingThread

    /// Creates an admin client. Throws `invalidConfiguration` with
    /// librdkafka's message if a setting is rejected.
    public init(configuration: KafkaConnectionConfiguration, logger: Logger = Logger(label: "barge.rdkafka.admin")) throws {
        let handle = try RDKafkaHandle(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.properties(with: []),
            context: RDKafkaCallbackContext(logger: logger, connection: configuration)
        )
        self.handle = handle
        self.pollThread = LoopingThread(
            name: "rdk-admin",
            iteration: { rd_kafka_poll(handle.pointer, 100) },
            finally: { handle.destroy() }
        )
    }

    deinit {
        pollThread.requestStop()
    }

    /// Destroys the client.
    public func close() async {
        await pollThread.stop()
    }

    /// Creates a topic with `configs` (Kafka topic settings such as
    /// `max.message.bytes`). A replication factor of -1 takes the broker's default.
    public func createTopic(
        _ name: String,
        partitions: Int32,
        replicationFactor: Int16 = -1,
        configs: [String: String] = [:],
        timeout: Duration = .seconds(30)
    ) async throws {
        try await RDKafkaAdminCall.run(on: handle, RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout: timeout, expecting: RD_KAFKA_EVENT_CREATETOPICS_RESULT) { handle, options, queue in
            var errorText = CTextBuffer()
            guard let topic = rd_kafka_NewTopic_new(name, partitions, Int32(replicationFactor), &errorText.bytes, errorText.bytes.count) else {
                throw KafkaClientError(kind: .topicError, message: "topic \(name): \(errorText.text)")
            }
            defer { rd_kafka_NewTopic_destroy(topic) }
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                try check(rd_kafka_NewTopic_set_config(topic, key, value), "topic \(name) config \(key)=\(value)")
            }
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_CreateTopics(handle, &topics, 1, options, queue)
        } result: { event in
            var count = 0
            let results = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count)
            try Self.checkTopicResults(results, count: count)
        }
    }

    /// Deletes a topic.
    public func deleteTopic(_ name: String, timeout: Duration = .seconds(30)) async throws {
        try await RDKafkaAdminCall.run(on: handle, RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout: timeout, expecting: RD_KAFKA_EVENT_DELETETOPICS_RESULT) { handle, options, queue in
            let topic = rd_kafka_DeleteTopic_new(name)
            defer { rd_kafka_DeleteTopic_destroy(topic) }
            var topics: [OpaquePointer?] = [topic]
            rd_kafka_DeleteTopics(handle, &topics, 1, options, queue)
        } result: { event in
            var count = 0
            let results = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event), &count)
            try Self.checkTopicResults(results, count: count)
        }
    }

    /// A topic's settings, by Kafka name (defaults included).
    public func describeTopicConfig(_ name: String, timeout: Duration = .seconds(30)) async throws -> [String: String] {
        try await RDKafkaAdminCall.describeTopicConfig(name, on: handle, timeout: timeout)
    }

    /// Sets and removes configs of a topic, leaving its other overrides as
    /// they are; returns the overrides now set. librdkafka before 2.2 has no
    /// IncrementalAlterConfigs, so this reads the topic's overrides and
    /// replaces them whole (AlterConfigs): a change another client makes in
    /// between is lost.
    @discardableResult
    public func changeTopicConfigs(
        _ name: String, set: [String: String], delete: [String] = [], timeout: Duration = .seconds(30)
    ) async throws -> [String: String] {
        var configs = try await RDKafkaAdminCall.topicConfigOverrides(name, on: handle, timeout: timeout)
        for key in delete { configs.removeValue(forKey: key) }
        configs.merge(set) { _, new in new }
        try await RDKafkaAdminCall.replaceTopicConfigs(name, with: configs, on: handle, timeout: timeout)
        return configs
    }

    /// Deletes the records of a partition before `offset` (-1: all of them,
    /// up to the high watermark); returns the partition's new low watermark.
    public func deleteRecords(topic: String, partition: Int32, before offset: Int64, timeout: Duration = .seconds(30)) async throws -> Int64 {
        try await RDKafkaAdminCall.deleteRecords(topic: topic, partition: partition, before: offset, on: handle, timeout: timeout)
    }

    /// Grows a topic to `totalCount` partitions.
    public func createPartitions(_ name: String, totalCount: Int32, timeout: Duration = .seconds(30)) async throws {
        try await RDKafkaAdminCall.run(on: handle, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS, timeout: timeout, expecting: RD_KAFKA_EVENT_CREATEPARTITIONS_RESULT) { handle, options, queue in
            var errorText = CTextBuffer()
            guard let partitions = rd_kafka_NewPartitions_new(name, Int(totalCount), &errorText.bytes, errorText.bytes.count) else {
                throw KafkaClientError(kind: .topicError, message: "topic \(name): \(errorText.text)")
            }
            defer { rd_kafka_NewPartitions_destroy(partitions) }
            var requests: [OpaquePointer?] = [partitions]
            rd_kafka_CreatePartitions(handle, &requests, 1, options, queue)
        } result: { event in
            var count = 0
            let results = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(event), &count)
            try Self.checkTopicResults(results, count: count)
        }
    }

    /// The cluster's topics and their partitions.
    public func listTopics(timeout: Duration = .seconds(30)) async throws -> [KafkaTopicDescription] {
        let handle = self.handle
        return try await DedicatedThread.run(name: "rdk-metadata") {
            var metadata: UnsafePointer<rd_kafka_metadata>?
            try check(rd_kafka_metadata(handle.pointer, 1, nil, &metadata, Int32(clamping: timeout.milliseconds)), "metadata")
            guard let metadata else { return [] }
            defer { rd_kafka_metadata_destroy(metadata) }
            return (0..<Int(metadata.pointee.topic_cnt)).map { index in
                let topic = metadata.pointee.topics[index]
                let partitions = (0..<Int(topic.partition_cnt)).map { partition in
                    KafkaPartitionDescription(id: topic.partitions[partition].id, leader: topic.partitions[partition].leader)
                }
                return KafkaTopicDescription(
                    name: String(cString: topic.topic),
                    partitions: partitions.sorted { $0.id < $1.id },
                    error: topic.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaClientError(topic.err, kind: .topicError)
                )
            }.sorted { $0.name < $1.name }
        }
    }

    private static func checkTopicResults(_ results: UnsafeMutablePointer<OpaquePointer?>?, count: Int) throws {
        guard let results else { return }
        for index in 0..<count {
            guard let result = results[index] else { continue }
            let error = rd_kafka_topic_result_error(result)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                let name = String(cString: rd_kafka_topic_result_name(result))
                let text = rd_kafka_topic_result_error_string(result).map { String(cString: $0) } ?? ""
                throw KafkaClientError(error, kind: .topicError, message: "topic \(name): \(text)")
            }
        }
    }
}

/// A topic and its partitions, from the cluster's metadata.
public struct KafkaTopicDescription: Sendable {
    /// The topic's name.
    public var name: String
    /// Its partitions, by id.
    public var partitions: [KafkaPartitionDescription]
    /// An error the cluster reported for the topic, if any.
    public var error: KafkaClientError?
}

/// A partition and its leader broker id.
public struct KafkaPartitionDescription: Hashable, Sendable {
    /// The partition's index.
    public var id: Int32
    /// The leader's broker id; -1 if there is none.
    public var leader: Int32
}
