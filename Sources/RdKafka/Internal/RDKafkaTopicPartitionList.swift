import CRdKafka

/// Conversions between Swift partition values and `rd_kafka_topic_partition_list_t`.
enum RDKafkaTopicPartitionList {
    /// A new list (owned by the caller, who destroys it) holding `offsets`,
    /// with their commit metadata.
    static func make(_ offsets: [KafkaPartitionOffset]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
        for offset in offsets {
            let element = rd_kafka_topic_partition_list_add(list, offset.topicPartition.topic, offset.topicPartition.partition)!
            element.pointee.offset = offset.offset
            if let metadata = offset.metadata {
                let bytes = Array(metadata.utf8)
                // librdkafka frees `metadata` with rd_kafka_topic_partition_list_destroy.
                let copy = rd_kafka_mem_malloc(nil, max(bytes.count, 1))!
                bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
                element.pointee.metadata = copy
                element.pointee.metadata_size = bytes.count
            }
        }
        return list
    }

    /// A new list of `partitions` with invalid offsets.
    static func make(_ partitions: [KafkaTopicPartition]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        make(partitions.map { KafkaPartitionOffset($0, offset: KafkaOffset.invalid) })
    }

    /// The elements of `list`, with offsets and metadata.
    static func offsets(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [KafkaPartitionOffset] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            let metadata = element.metadata.map {
                String(decoding: UnsafeRawBufferPointer(start: $0, count: element.metadata_size), as: UTF8.self)
            }
            return KafkaPartitionOffset(
                KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                offset: element.offset,
                metadata: metadata
            )
        }
    }

    /// The partitions of `list`.
    static func partitions(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [KafkaTopicPartition] {
        offsets(of: list).map(\.topicPartition)
    }

    /// The first per-partition error in `list`, if any.
    static func firstError(in list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> KafkaClientError? {
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                return KafkaClientError(element.err, message: "\(String(cString: element.topic))-\(element.partition)")
            }
        }
        return nil
    }
}
