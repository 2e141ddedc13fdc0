/// The Kafka value types the core speaks in (headers, partitions, offsets,
/// records) come from `KafkaValues`; users of the core see them too.
@_exported import KafkaValues
