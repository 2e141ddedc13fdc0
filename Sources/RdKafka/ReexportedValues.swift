/// The value types (headers, partitions, offsets, messages) live in
/// `KafkaValues`, shared with code that never touches librdkafka; users of
/// `RdKafka` see them as before.
@_exported import KafkaValues
