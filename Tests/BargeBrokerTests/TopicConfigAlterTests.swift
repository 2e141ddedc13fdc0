import BargeBroker
import BargeBrokerTestKit
import Foundation
import KafkaProtocol
import NIOCore
import Testing

/// AlterConfigs, IncrementalAlterConfigs and DescribeConfigs over the wire:
/// changes checked as a whole, persisted, applied live, or refused with
/// nothing changed.
@Suite("Topic config changes", .timeLimit(.minutes(2)))
struct TopicConfigAlterTests {
    static func batch(_ count: Int, valueBytes: Int = 10, timestamp: Int64 = nowMilliseconds()) -> ByteBuffer {
        var builder = RecordBatchBuilder()
        for index in 0..<count {
            builder.append(key: ByteBuffer(string: "k\(index)"), value: ByteBuffer(repeating: 0x61, count: valueBytes), timestamp: timestamp)
        }
        return builder.build()
    }

    @Test("SET, DELETE, APPEND and SUBTRACT change the overrides; DescribeConfigs tells dynamic from default")
    func incrementalOperations() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            var result = try await client.incrementalAlter("t", [.set("retention.ms", "1000"), .append("cleanup.policy", "compact")])
            #expect(result.errorCode == 0, "\(result.errorMessage ?? "")")
            #expect(result.errorMessage == nil)
            var configs = try await client.describeTopicConfigs("t")
            #expect(configs["retention.ms"]?.value == "1000")
            #expect(configs["retention.ms"]?.configSource == 1)
            #expect(configs["retention.ms"]?.configType == 5)
            #expect(configs["cleanup.policy"]?.value == "delete,compact")
            #expect(configs["cleanup.policy"]?.configType == 7)
            #expect(configs["compression.type"]?.value == "producer")
            #expect(configs["compression.type"]?.configSource == 5)
            #expect(configs.count == 34)

            result = try await client.incrementalAlter("t", [.subtract("cleanup.policy", "delete"), .delete("retention.ms")])
            #expect(result.errorCode == 0, "\(result.errorMessage ?? "")")
            configs = try await client.describeTopicConfigs("t")
            #expect(configs["cleanup.policy"]?.value == "compact")
            #expect(configs["retention.ms"]?.value == "604800000")
            #expect(configs["retention.ms"]?.configSource == 5)

            result = try await client.incrementalAlter("t", [.set("segment.ms", "5000")], validateOnly: true)
            #expect(result.errorCode == 0)
            #expect(try await client.describeTopicConfigs("t")["segment.ms"]?.value == "604800000", "validateOnly changes nothing")
        }
    }

    @Test("AlterConfigs replaces the whole set of overrides (every version)", arguments: [Int16(0), 1, 2])
    func alterConfigsReplaces(version: Int16) async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            _ = try await client.incrementalAlter("t", [.set("retention.ms", "1000"), .set("segment.ms", "2000")])
            let result = try await client.alterConfigs("t", ["compression.type": "zstd", "min.insync.replicas": "1"], version: version)
            #expect(result.errorCode == 0, "\(result.errorMessage ?? "")")
            let configs = try await client.describeTopicConfigs("t")
            #expect(configs["compression.type"]?.value == "zstd")
            #expect(configs["compression.type"]?.configSource == 1)
            #expect(configs["retention.ms"]?.value == "604800000", "not named: back to the default")
            #expect(configs["segment.ms"]?.configSource == 5)
        }
    }

    /// One refused change: the broker's tiered-storage switch, the topic's overrides before, the change, and Kafka's message.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var systemEnable = true
        var before: [String: String] = [:]
        var change: [String: String]
        var message: String
        var testDescription: String { "\(change) over \(before)" }
    }

    static let refusals: [Refusal] = [
        Refusal(systemEnable: false, change: ["remote.storage.enable": "true"],
                message: "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage."),
        Refusal(change: ["remote.storage.enable": "true", "cleanup.policy": "compact"],
                message: "Remote log storage is unsupported for the compacted topics"),
        Refusal(change: ["remote.storage.enable": "true", "cleanup.policy": "delete,compact"],
                message: "Remote log storage is unsupported for the compacted topics"),
        Refusal(before: ["remote.storage.enable": "true"], change: ["cleanup.policy": "compact"],
                message: "Remote log storage is unsupported for the compacted topics"),
        Refusal(change: ["remote.storage.enable": "true", "retention.ms": "1000", "local.retention.ms": "2000"],
                message: "Invalid value 2000 for configuration local.retention.ms: Value must not be more than retention.ms property value: 1000"),
        Refusal(change: ["remote.storage.enable": "true", "retention.ms": "1000", "local.retention.ms": "-1"],
                message: "Invalid value -1 for configuration local.retention.ms: Value must not be -1 as retention.ms value is set as 1000."),
        Refusal(change: ["remote.storage.enable": "true", "retention.bytes": "1000", "local.retention.bytes": "1001"],
                message: "Invalid value 1001 for configuration local.retention.bytes: Value must not be more than retention.bytes property value: 1000"),
        Refusal(before: ["remote.storage.enable": "true", "local.retention.ms": "1000"], change: ["retention.ms": "999"],
                message: "Invalid value 1000 for configuration local.retention.ms: Value must not be more than retention.ms property value: 999"),
        Refusal(before: ["remote.storage.enable": "true"], change: ["remote.storage.enable": "false"],
                message: "It is invalid to disable remote storage without deleting remote data. If you want to keep the remote data and turn to read only, please set `remote.storage.enable=true,remote.log.copy.disable=true`. If you want to disable remote storage and delete all remote data, please set `remote.storage.enable=false,remote.log.delete.on.disable=true`."),
        Refusal(change: ["remote.storage.enable": "true", "remote.log.copy.disable": "true", "retention.ms": "2000", "local.retention.ms": "1000"],
                message: "When `remote.log.copy.disable` is set to true, the `local.retention.ms` and `retention.ms` must be set to the identical value because there will be no more logs copied to the remote storage."),
        Refusal(change: ["remote.storage.enable": "true", "remote.log.copy.disable": "true", "retention.bytes": "2000", "local.retention.bytes": "1000"],
                message: "When `remote.log.copy.disable` is set to true, the `local.retention.bytes` and `retention.bytes` must be set to the identical value because there will be no more logs copied to the remote storage."),
        Refusal(change: ["min.compaction.lag.ms": "5000", "max.compaction.lag.ms": "4000"],
                message: "conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (4000)"),
        Refusal(change: ["retention.ms": "1000", "compression.type": "brotli"],
                message: "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer"),
        Refusal(change: ["retention.ms": "1000", "log.retention.ms": "3"], message: "Unknown topic config name: log.retention.ms"),
    ]

    @Test("an invalid combination gets INVALID_CONFIG with Kafka's message, and nothing of it is applied", arguments: refusals)
    func refusedCombinations(refusal: Refusal) async throws {
        try await withEmbeddedBroker(configure: { config in
            config.remoteStorage.systemEnable = refusal.systemEnable
            config.remoteStorage.storageURL = "memory://admin-tests"
        }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            if !refusal.before.isEmpty {
                let setup = try await client.incrementalAlter("t", refusal.before.map { .set($0.key, $0.value) })
                #expect(setup.errorCode == 0, "\(setup.errorMessage ?? "")")
            }
            let before = try await client.describeTopicConfigs("t").mapValues(\.value)
            let incremental = try await client.incrementalAlter("t", refusal.change.map { .set($0.key, $0.value) })
            #expect(incremental.errorCode == KafkaErrorCode.invalidConfig.code)
            #expect(incremental.errorMessage?.hasPrefix(refusal.message) == true, "\(incremental.errorMessage ?? "nil")")
            let whole = try await client.alterConfigs("t", refusal.before.merging(refusal.change) { $1 })
            #expect(whole.errorCode == KafkaErrorCode.invalidConfig.code)
            #expect(whole.errorMessage?.hasPrefix(refusal.message) == true, "\(whole.errorMessage ?? "nil")")
            #expect(try await client.describeTopicConfigs("t").mapValues(\.value) == before, "nothing half-applied")
        }
    }

    @Test("CreateTopics applies the same checks")
    func createTopicsChecksTieredStorage() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            var creatable = CreateTopicsRequest.CreatableTopic()
            creatable.name = "tiered"
            creatable.numPartitions = 1
            creatable.replicationFactor = 1
            var config = CreateTopicsRequest.CreatableTopicConfig()
            config.name = "remote.storage.enable"
            config.value = "true"
            creatable.configs = [config]
            var request = CreateTopicsRequest()
            request.topics = [creatable]
            let response = try await client.request(request, apiKey: .createTopics, version: 7, as: CreateTopicsResponse.self)
            let result = try #require(response.topics.first)
            #expect(result.errorCode == KafkaErrorCode.invalidConfig.code)
            #expect(result.errorMessage == "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.")
            #expect(try await client.partitionCount("tiered") == 0)
        }
    }

    @Test("malformed requests: unknown operation, null value, APPEND to a non-list, duplicate keys, unknown topic")
    func malformedChanges() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            let cases: [([KafkaTestClient.ConfigOperation], KafkaErrorCode, String)] = [
                ([KafkaTestClient.ConfigOperation(name: "retention.ms", operation: 9, value: "1")], .invalidRequest, "Unknown operations type 9"),
                ([KafkaTestClient.ConfigOperation(name: "retention.ms", operation: 0, value: nil)], .invalidRequest, "Null value not supported for : retention.ms"),
                ([.append("retention.ms", "5")], .invalidConfig, "Config value append is not allowed for config key: retention.ms"),
                ([.subtract("segment.ms", "5")], .invalidConfig, "Config value subtract is not allowed for config key: segment.ms"),
                ([.set("retention.ms", "1"), .set("retention.ms", "2")], .invalidRequest, "Error due to duplicate config keys"),
                ([.subtract("cleanup.policy", "delete")], .invalidConfig, "Invalid value  for configuration cleanup.policy"),
                ([.set("retention.ms", String(repeating: "7", count: 100_000))], .invalidConfig, "Invalid value 777"),
            ]
            for (operations, code, message) in cases {
                let result = try await client.incrementalAlter("t", operations)
                #expect(result.errorCode == code.code, "\(operations)")
                #expect(result.errorMessage?.hasPrefix(message) == true, "\(result.errorMessage ?? "nil")")
                #expect((result.errorMessage?.count ?? 0) < 500)
            }
            let missing = try await client.incrementalAlter("nope", [.set("retention.ms", "1")])
            #expect(missing.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
            let nullValue = try await client.alterConfigs("t", ["retention.ms": nil])
            #expect(nullValue.errorCode == KafkaErrorCode.invalidRequest.code)
            let unknownType = try await client.incrementalAlter("t", [.set("retention.ms", "1")], resourceType: 3)
            #expect(unknownType.errorCode == KafkaErrorCode.invalidRequest.code)
            #expect(try await client.describeTopicConfigs("t")["retention.ms"]?.value == "604800000")
        }
    }

    @Test("the broker's own settings cannot change while it runs, as Kafka answers for static configs")
    func brokerResource() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let incremental = try await client.incrementalAlter("1", [.set("log.retention.ms", "1000")], resourceType: 4)
            #expect(incremental.errorCode == KafkaErrorCode.invalidRequest.code)
            #expect(incremental.errorMessage?.hasPrefix("Cannot update these configs dynamically: Set(log.retention.ms)") == true)
            let legacy = try await client.alterConfigs("", ["log.dirs": "/tmp/x"], resourceType: 4)
            #expect(legacy.errorCode == KafkaErrorCode.invalidRequest.code)
            let otherBroker = try await client.incrementalAlter("2", [], resourceType: 4)
            #expect(otherBroker.errorMessage == "Unexpected broker id, expected 1, but received 2")
            let nothing = try await client.alterConfigs("1", [:], resourceType: 4)
            #expect(nothing.errorCode == 0)
            let unused = try await client.alterConfigs("1", ["sasl.kerberos.min.time.before.relogin": "58000"], resourceType: 4)
            #expect(unused.errorCode == 0, "a setting this broker does not use is accepted, as librdkafka's test 0081 expects")
        }
    }

    @Test("changes survive a restart")
    func persistence() async throws {
        let directory = NSTemporaryDirectory() + "barge-alter-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }, keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            let result = try await client.incrementalAlter("t", [.set("max.message.bytes", "2000"), .set("cleanup.policy", "compact,delete")])
            #expect(result.errorCode == 0)
            #expect(try await client.createPartitions("t", count: 3).errorCode == 0)
        }
        try await withEmbeddedBroker(configure: { $0.dataDirectory = directory }, keepData: true) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let configs = try await client.describeTopicConfigs("t")
            #expect(configs["max.message.bytes"]?.value == "2000")
            #expect(configs["max.message.bytes"]?.configSource == 1)
            #expect(configs["cleanup.policy"]?.value == "compact,delete")
            #expect(try await client.partitionCount("t") == 3)
            let tooLarge = try await client.produce(topic: "t", batch: Self.batch(1, valueBytes: 3000))
            #expect(tooLarge.errorCode == KafkaErrorCode.messageTooLarge.code)
        }
    }

    @Test("changes apply to the next produce: max.message.bytes, min.insync.replicas, message.timestamp.*")
    func liveApplication() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t", partitions: 2)
            #expect(try await client.produce(topic: "t", batch: Self.batch(1, valueBytes: 3000)).errorCode == 0)
            #expect(try await client.incrementalAlter("t", [.set("max.message.bytes", "2000")]).errorCode == 0)
            let refused = try await client.produce(topic: "t", batch: Self.batch(1, valueBytes: 3000))
            #expect(refused.errorCode == KafkaErrorCode.messageTooLarge.code)

            #expect(try await client.incrementalAlter("t", [.set("min.insync.replicas", "2")]).errorCode == 0)
            #expect(try await client.produce(topic: "t", batch: Self.batch(1), acks: -1).errorCode == KafkaErrorCode.notEnoughReplicas.code)
            #expect(try await client.produce(topic: "t", batch: Self.batch(1), acks: 1).errorCode == 0)
            #expect(try await client.incrementalAlter("t", [.delete("min.insync.replicas")]).errorCode == 0)

            let future = nowMilliseconds() + 2 * 3_600_000
            #expect(try await client.produce(topic: "t", batch: Self.batch(1, timestamp: future)).errorCode == KafkaErrorCode.invalidTimestamp.code,
                    "Kafka 4's default message.timestamp.after.max.ms is one hour")
            #expect(try await client.incrementalAlter("t", [.set("message.timestamp.after.max.ms", "86400000")]).errorCode == 0)
            #expect(try await client.produce(topic: "t", batch: Self.batch(1, timestamp: future)).errorCode == 0)
            #expect(try await client.incrementalAlter("t", [.set("message.timestamp.before.max.ms", "1000")]).errorCode == 0)
            #expect(try await client.produce(topic: "t", batch: Self.batch(1, timestamp: 1_700_000_000_000)).errorCode == KafkaErrorCode.invalidTimestamp.code)
            #expect(try await client.incrementalAlter("t", [.set("message.timestamp.type", "LogAppendTime")]).errorCode == 0)
            #expect(try await client.produce(topic: "t", batch: Self.batch(1, timestamp: 1_700_000_000_000)).errorCode == 0, "LogAppendTime: no window")
        }
    }
}

/// Milliseconds since the Unix epoch.
func nowMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

extension TopicConfigAlterTests {
    @Test("AlterConfigs takes the last value of a name given twice, as librdkafka's AlterConfigs helper needs")
    func alterConfigsDuplicateNames() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            _ = try await client.createTopic("t")
            var resource = AlterConfigsRequest.AlterConfigsResource()
            resource.resourceType = 2
            resource.resourceName = "t"
            resource.configs = [("retention.ms", "1000"), ("retention.ms", "2000")].map { name, value in
                var config = AlterConfigsRequest.AlterableConfig()
                config.name = name
                config.value = value
                return config
            }
            var request = AlterConfigsRequest()
            request.resources = [resource]
            let response = try await client.request(request, apiKey: .alterConfigs, version: 1, as: AlterConfigsResponse.self)
            #expect(response.responses.first?.errorCode == 0)
            #expect(try await client.describeTopicConfigs("t")["retention.ms"]?.value == "2000")
        }
    }
}
