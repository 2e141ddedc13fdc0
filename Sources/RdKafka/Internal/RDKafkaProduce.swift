import CRdKafka

/// Hands one message to `rd_kafka_produceva`. librdkafka copies the topic,
/// key, value and headers before returning (`RD_KAFKA_MSG_F_COPY`), so the
/// Swift arrays only need to live through the call.
enum RDKafkaProduce {
    /// Produces `message` with `opaque` as its per-message opaque; `nil` on
    /// success, else librdkafka's error code.
    static func produce(
        _ message: KafkaProducerMessage,
        on handle: OpaquePointer,
        opaque: UnsafeMutableRawPointer
    ) -> rd_kafka_resp_err_t? {
        // Owned here until rd_kafka_produceva succeeds, which takes it over.
        let headers: OpaquePointer? = message.headers.isEmpty ? nil : makeHeaders(message.headers)
        let error: OpaquePointer? = message.topic.withCString { topic in
            withBytes(message.key) { key in
                withBytes(message.value) { value in
                    var fields: [rd_kafka_vu_t] = [
                        field(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic },
                        field(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = message.partition ?? RD_KAFKA_PARTITION_UA },
                        field(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY },
                        field(RD_KAFKA_VTYPE_VALUE) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: value.baseAddress)
                            $0.u.mem.size = value.count
                        },
                        field(RD_KAFKA_VTYPE_KEY) {
                            $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: key.baseAddress)
                            $0.u.mem.size = key.count
                        },
                        field(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque },
                    ]
                    if let timestamp = message.timestamp {
                        fields.append(field(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = Int64((timestamp.timeIntervalSince1970 * 1000).rounded()) })
                    }
                    if let headers {
                        fields.append(field(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers })
                    }
                    return rd_kafka_produceva(handle, fields, fields.count)
                }
            }
        }
        guard let error else { return nil }
        if let headers { rd_kafka_headers_destroy(headers) }
        let code = rd_kafka_error_code(error)
        rd_kafka_error_destroy(error)
        return code
    }

    private static func field(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) -> rd_kafka_vu_t {
        var field = rd_kafka_vu_t()
        field.vtype = type
        set(&field)
        return field
    }

    private static func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer {
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            withBytes(header.value) { value in
                _ = rd_kafka_header_add(list, header.key, -1, value.baseAddress, value.count)
            }
        }
        return list
    }

    /// Calls `body` with `bytes`: a null base address for `nil`, a non-null
    /// one for an empty array (librdkafka tells null from empty by the pointer).
    private static func withBytes<Result>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        guard let bytes else { return body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        if bytes.isEmpty {
            let placeholder: [UInt8] = [0]
            return placeholder.withUnsafeBytes { body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
        }
        return bytes.withUnsafeBytes(body)
    }
}
