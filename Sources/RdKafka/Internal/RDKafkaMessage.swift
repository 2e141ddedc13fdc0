import CRdKafka
import Foundation

/// Conversion of a consumed `rd_kafka_message_t` into Swift values; the
/// payload and key are copied exactly once, into their arrays (or the
/// payload not at all, for a ``KafkaConsumerRecord``).
enum RDKafkaMessage {
    static func message(from message: UnsafeMutablePointer<rd_kafka_message_t>, topicPartition: KafkaTopicPartition) -> KafkaConsumerMessage {
        let record = message.pointee
        return KafkaConsumerMessage(
            topicPartition: topicPartition,
            offset: record.offset,
            key: bytes(record.key, record.key_len),
            value: bytes(record.payload, record.len),
            headers: headers(of: message),
            timestamp: timestamp(of: message)
        )
    }

    /// The message's timestamp and its kind, if it has one.
    static func timestamp(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaTimestamp? {
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        return switch timestampType {
        case RD_KAFKA_TIMESTAMP_CREATE_TIME: KafkaTimestamp(date: date(milliseconds), kind: .createTime)
        case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME: KafkaTimestamp(date: date(milliseconds), kind: .logAppendTime)
        default: nil
        }
    }

    /// The error a message carries, or `nil` for a real message.
    static func error(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> KafkaClientError? {
        let record = message.pointee
        guard record.err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        var text = record.payload.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: record.len), as: UTF8.self) }
            ?? String(cString: rd_kafka_err2str(record.err))
        if record.rkt != nil { text = "\(topicName(record))-\(record.partition): \(text)" }
        return KafkaClientError(record.err, message: text)
    }

    /// The name of the topic a consumed or produced message belongs to.
    static func topicName(_ record: rd_kafka_message_t) -> String {
        record.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
    }

    /// A Kafka timestamp (milliseconds since the epoch) as a `Date`.
    static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// A copy of `count` bytes at `pointer`; `nil` for a null pointer.
    static func bytes(_ pointer: UnsafeRawPointer?, _ count: Int) -> [UInt8]? {
        guard let pointer else { return nil }
        return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// The message's headers, copied.
    static func headers(of message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        // The header list belongs to the message.
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: bytes(value, size)))
            index += 1
        }
        return headers
    }
}
