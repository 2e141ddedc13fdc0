import KafkaProtocol
import Testing

/// The admin requests of the tests: config changes, DescribeConfigs,
/// DeleteRecords and CreatePartitions, one resource or partition at a time.
extension KafkaTestClient {
    /// One IncrementalAlterConfigs operation: SET 0, DELETE 1, APPEND 2, SUBTRACT 3.
    struct ConfigOperation {
        var name: String
        var operation: Int8
        var value: String?

        static func set(_ name: String, _ value: String) -> ConfigOperation { ConfigOperation(name: name, operation: 0, value: value) }
        static func delete(_ name: String) -> ConfigOperation { ConfigOperation(name: name, operation: 1, value: nil) }
        static func append(_ name: String, _ value: String) -> ConfigOperation { ConfigOperation(name: name, operation: 2, value: value) }
        static func subtract(_ name: String, _ value: String) -> ConfigOperation { ConfigOperation(name: name, operation: 3, value: value) }
    }

    func incrementalAlter(
        _ resourceName: String, _ operations: [ConfigOperation], resourceType: Int8 = 2, validateOnly: Bool = false, version: Int16 = 1
    ) async throws -> IncrementalAlterConfigsResponse.AlterConfigsResourceResponse {
        var resource = IncrementalAlterConfigsRequest.AlterConfigsResource()
        resource.resourceType = resourceType
        resource.resourceName = resourceName
        resource.configs = operations.map { operation in
            var config = IncrementalAlterConfigsRequest.AlterableConfig()
            config.name = operation.name
            config.configOperation = operation.operation
            config.value = operation.value
            return config
        }
        var request = IncrementalAlterConfigsRequest()
        request.resources = [resource]
        request.validateOnly = validateOnly
        let response = try await self.request(request, apiKey: .incrementalAlterConfigs, version: version, as: IncrementalAlterConfigsResponse.self)
        return try #require(response.responses.first)
    }

    func alterConfigs(
        _ resourceName: String, _ configs: [String: String?], resourceType: Int8 = 2, validateOnly: Bool = false, version: Int16 = 2
    ) async throws -> AlterConfigsResponse.AlterConfigsResourceResponse {
        var resource = AlterConfigsRequest.AlterConfigsResource()
        resource.resourceType = resourceType
        resource.resourceName = resourceName
        resource.configs = configs.sorted { $0.key < $1.key }.map { name, value in
            var config = AlterConfigsRequest.AlterableConfig()
            config.name = name
            config.value = value
            return config
        }
        var request = AlterConfigsRequest()
        request.resources = [resource]
        request.validateOnly = validateOnly
        let response = try await self.request(request, apiKey: .alterConfigs, version: version, as: AlterConfigsResponse.self)
        return try #require(response.responses.first)
    }

    /// A topic's configs by name: value and source.
    func describeTopicConfigs(_ topic: String, version: Int16 = 4) async throws -> [String: DescribeConfigsResponse.DescribeConfigsResourceResult] {
        var resource = DescribeConfigsRequest.DescribeConfigsResource()
        resource.resourceType = 2
        resource.resourceName = topic
        resource.configurationKeys = nil
        var request = DescribeConfigsRequest()
        request.resources = [resource]
        let response = try await self.request(request, apiKey: .describeConfigs, version: version, as: DescribeConfigsResponse.self)
        let result = try #require(response.results.first)
        #expect(result.errorCode == 0, "\(result.errorMessage ?? "")")
        return Dictionary(uniqueKeysWithValues: result.configs.map { ($0.name, $0) })
    }

    func deleteRecords(_ topic: String, partition: Int32 = 0, before offset: Int64, version: Int16 = 2) async throws -> DeleteRecordsResponse.DeleteRecordsPartitionResult {
        var target = DeleteRecordsRequest.DeleteRecordsPartition()
        target.partitionIndex = partition
        target.offset = offset
        var topicRequest = DeleteRecordsRequest.DeleteRecordsTopic()
        topicRequest.name = topic
        topicRequest.partitions = [target]
        var request = DeleteRecordsRequest()
        request.topics = [topicRequest]
        request.timeoutMs = 5_000
        let response = try await self.request(request, apiKey: .deleteRecords, version: version, as: DeleteRecordsResponse.self)
        return try #require(response.topics.first?.partitions.first)
    }

    func createPartitions(
        _ topic: String, count: Int32, assignments: [[Int32]]? = nil, validateOnly: Bool = false, version: Int16 = 3
    ) async throws -> CreatePartitionsResponse.CreatePartitionsTopicResult {
        var topicRequest = CreatePartitionsRequest.CreatePartitionsTopic()
        topicRequest.name = topic
        topicRequest.count = count
        topicRequest.assignments = assignments?.map { brokers in
            var assignment = CreatePartitionsRequest.CreatePartitionsAssignment()
            assignment.brokerIds = brokers
            return assignment
        }
        var request = CreatePartitionsRequest()
        request.topics = [topicRequest]
        request.timeoutMs = 5_000
        request.validateOnly = validateOnly
        let response = try await self.request(request, apiKey: .createPartitions, version: version, as: CreatePartitionsResponse.self)
        return try #require(response.results.first)
    }

    /// The number of partitions Metadata reports for `topic`.
    func partitionCount(_ topic: String) async throws -> Int {
        var wanted = MetadataRequest.MetadataRequestTopic()
        wanted.name = topic
        var request = MetadataRequest()
        request.topics = [wanted]
        request.allowAutoTopicCreation = false
        let response = try await self.request(request, apiKey: .metadata, version: 9, as: MetadataResponse.self)
        return try #require(response.topics.first).partitions.count
    }
}
