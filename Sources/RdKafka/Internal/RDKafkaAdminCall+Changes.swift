import CRdKafka

extension RDKafkaAdminCall {
    /// The configs set on a topic (DescribeConfigs entries whose source is
    /// DYNAMIC_TOPIC_CONFIG), by Kafka name.
    static func topicConfigOverrides(_ name: String, on handle: RDKafkaHandle, timeout: Duration) async throws -> [String: String] {
        try await run(on: handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout, expecting: RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT) { handle, options, queue in
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_DescribeConfigs(handle, &resources, 1, options, queue)
        } result: { event in
            var count = 0
            let resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count)
            let resource = try onlyResource(resources, count: count, topic: name)
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(resource, &entryCount) else { return [:] }
            var overrides: [String: String] = [:]
            for index in 0..<entryCount {
                guard let entry = entries[index], rd_kafka_ConfigEntry_source(entry) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG else { continue }
                overrides[String(cString: rd_kafka_ConfigEntry_name(entry))] = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) } ?? ""
            }
            return overrides
        }
    }

    /// AlterConfigs: replaces the whole set of a topic's overrides with `configs`.
    static func replaceTopicConfigs(_ name: String, with configs: [String: String], on handle: RDKafkaHandle, timeout: Duration) async throws {
        try await run(on: handle, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, timeout: timeout, expecting: RD_KAFKA_EVENT_ALTERCONFIGS_RESULT) { handle, options, queue in
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            for (key, value) in configs.sorted(by: { $0.key < $1.key }) {
                try check(rd_kafka_ConfigResource_set_config(resource, key, value), "topic \(name) config \(key)=\(value)")
            }
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_AlterConfigs(handle, &resources, 1, options, queue)
        } result: { event in
            var count = 0
            let resources = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(event), &count)
            _ = try onlyResource(resources, count: count, topic: name)
        }
    }

    /// DeleteRecords on one partition; returns its new low watermark.
    static func deleteRecords(topic: String, partition: Int32, before offset: Int64, on handle: RDKafkaHandle, timeout: Duration) async throws -> Int64 {
        try await run(on: handle, RD_KAFKA_ADMIN_OP_DELETERECORDS, timeout: timeout, expecting: RD_KAFKA_EVENT_DELETERECORDS_RESULT) { handle, options, queue in
            let offsets = RDKafkaTopicPartitionList.make([KafkaPartitionOffset(KafkaTopicPartition(topic: topic, partition: partition), offset: offset)])
            defer { rd_kafka_topic_partition_list_destroy(offsets) }
            // rd_kafka_DeleteRecords_new copies the list.
            let request = rd_kafka_DeleteRecords_new(offsets)
            defer { rd_kafka_DeleteRecords_destroy(request) }
            var requests: [OpaquePointer?] = [request]
            rd_kafka_DeleteRecords(handle, &requests, 1, options, queue)
        } result: { event in
            guard let offsets = rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(event)),
                  offsets.pointee.cnt == 1 else {
                throw KafkaClientError(kind: .topicError, message: "topic \(topic) partition \(partition): no result in the answer")
            }
            let element = offsets.pointee.elems[0]
            guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaClientError(element.err, kind: .topicError, message: "topic \(topic) partition \(partition)")
            }
            return element.offset
        }
    }

    /// The one resource of a config answer, or its error.
    private static func onlyResource(_ resources: UnsafeMutablePointer<OpaquePointer?>?, count: Int, topic: String) throws -> OpaquePointer {
        guard let resources, count == 1, let resource = resources[0] else {
            throw KafkaClientError(kind: .topicError, message: "topic \(topic): no result in the answer")
        }
        let error = rd_kafka_ConfigResource_error(resource)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_ConfigResource_error_string(resource).map { String(cString: $0) } ?? ""
            throw KafkaClientError(error, kind: .topicError, message: "topic \(topic): \(text)")
        }
        return resource
    }
}
