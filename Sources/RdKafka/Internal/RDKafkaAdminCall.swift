import CRdKafka

/// librdkafka's admin API on any client handle: a producer's handle serves
/// admin requests as well as an admin client's (librdkafka routes each
/// request's result to the queue it was given, not to the client's poll loop).
enum RDKafkaAdminCall {
    /// Runs one admin request on a thread of its own: `start` issues it on a
    /// fresh queue, whose single result event `result` reads.
    static func run<Result: Sendable>(
        on handle: RDKafkaHandle,
        _ operation: rd_kafka_admin_op_t,
        timeout: Duration,
        expecting eventType: Int32,
        start: @escaping @Sendable (OpaquePointer, OpaquePointer, OpaquePointer) throws -> Void,
        result: @escaping @Sendable (OpaquePointer) throws -> Result
    ) async throws -> Result {
        try await DedicatedThread.run(name: "rdk-admin-call") {
            let milliseconds = Int32(clamping: timeout.milliseconds)
            let queue = rd_kafka_queue_new(handle.pointer)!
            defer { rd_kafka_queue_destroy(queue) }
            let options = rd_kafka_AdminOptions_new(handle.pointer, operation)!
            defer { rd_kafka_AdminOptions_destroy(options) }
            var errorText = CTextBuffer()
            _ = rd_kafka_AdminOptions_set_request_timeout(options, milliseconds, &errorText.bytes, errorText.bytes.count)
            _ = rd_kafka_AdminOptions_set_operation_timeout(options, milliseconds, &errorText.bytes, errorText.bytes.count)
            try start(handle.pointer, options, queue)
            guard let event = rd_kafka_queue_poll(queue, milliseconds + 1000) else {
                throw KafkaClientError(kind: .timedOut, code: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue, message: "no answer within \(timeout)")
            }
            defer { rd_kafka_event_destroy(event) }
            let error = rd_kafka_event_error(event)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaClientError(error, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
            }
            guard rd_kafka_event_type(event) == eventType else {
                throw KafkaClientError(kind: .librdkafka, message: "unexpected admin event \(rd_kafka_event_type(event))")
            }
            return try result(event)
        }
    }

    /// A topic's settings, by Kafka name (defaults included).
    static func describeTopicConfig(_ name: String, on handle: RDKafkaHandle, timeout: Duration) async throws -> [String: String] {
        try await run(on: handle, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, timeout: timeout, expecting: RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT) { handle, options, queue in
            let resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name)
            defer { rd_kafka_ConfigResource_destroy(resource) }
            var resources: [OpaquePointer?] = [resource]
            rd_kafka_DescribeConfigs(handle, &resources, 1, options, queue)
        } result: { event in
            var count = 0
            guard let resources = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count),
                  count == 1, let resource = resources[0] else {
                throw KafkaClientError(kind: .topicError, message: "topic \(name): no config in the answer")
            }
            let error = rd_kafka_ConfigResource_error(resource)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaClientError(error, kind: .topicError, message: "topic \(name)")
            }
            var entryCount = 0
            guard let entries = rd_kafka_ConfigResource_configs(resource, &entryCount) else { return [:] }
            var configs: [String: String] = [:]
            for index in 0..<entryCount {
                guard let entry = entries[index] else { continue }
                configs[String(cString: rd_kafka_ConfigEntry_name(entry))] = rd_kafka_ConfigEntry_value(entry).map { String(cString: $0) }
            }
            return configs
        }
    }
}
