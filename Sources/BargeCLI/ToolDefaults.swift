import Barge
import RdKafka

/// The Kafka limits the `barge` tools run with, in one place: measured to
/// keep a process under 64 MiB while moving a 4 GiB payload at full speed
/// (see docs/benchmarks.md).
enum ToolDefaults {
    /// Producer: at most 8 MiB in flight and in librdkafka's queue,
    /// records big enough for a chunk of `chunkSize` and its headers.
    static func apply(to producer: inout KafkaProducerConfiguration, chunkSize: Int) {
        producer.messageTimeout = .seconds(30)
        producer.maximumInFlightBytes = 8 << 20
        producer.queueBufferingMaxKBytes = 8 << 10
        producer.connection.messageMaxBytes = max(producer.connection.messageMaxBytes, chunkSize + (64 << 10))
    }

    /// Consumer: librdkafka prefetches at most 4 MiB, the hand-off buffer
    /// holds at most 8 MiB.
    static func apply(to consumer: inout KafkaConsumerConfiguration) {
        consumer.maxPartitionFetchBytes = 2 << 20
        consumer.fetchMaxBytes = 4 << 20
        consumer.queuedMaxMessagesKBytes = 4096
        consumer.maximumBufferedBytes = 8 << 20
    }
}
