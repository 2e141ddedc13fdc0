import RdKafka

/// How much memory the Kafka clients under a large-message producer or
/// consumer may hold: librdkafka's queues and fetches, and the hand-off
/// buffers in front of them. Set ``LargeMessageProducerConfiguration/memory``
/// or ``LargeMessageConsumerConfiguration/memory`` to one (the `barge` tool
/// uses ``bounded``), or apply one to a Kafka configuration directly.
public struct KafkaMemoryBudget: Hashable, Sendable {
    /// Producer: bytes handed to librdkafka and not yet acknowledged.
    public var producerInFlightBytes: Int
    /// Producer: librdkafka's `queue.buffering.max.kbytes`, in bytes.
    public var producerQueueBytes: Int
    /// Consumer: librdkafka's `max.partition.fetch.bytes`.
    public var consumerPartitionFetchBytes: Int
    /// Consumer: librdkafka's `fetch.max.bytes`.
    public var consumerFetchBytes: Int
    /// Consumer: librdkafka's `queued.max.messages.kbytes`, in bytes.
    public var consumerQueuedBytes: Int
    /// Consumer: the hand-off buffer between librdkafka and the application,
    /// with the record values the application still holds.
    public var consumerBufferedBytes: Int

    /// A budget with these limits.
    public init(
        producerInFlightBytes: Int, producerQueueBytes: Int, consumerPartitionFetchBytes: Int, consumerFetchBytes: Int,
        consumerQueuedBytes: Int, consumerBufferedBytes: Int
    ) {
        self.producerInFlightBytes = producerInFlightBytes
        self.producerQueueBytes = producerQueueBytes
        self.consumerPartitionFetchBytes = consumerPartitionFetchBytes
        self.consumerFetchBytes = consumerFetchBytes
        self.consumerQueuedBytes = consumerQueuedBytes
        self.consumerBufferedBytes = consumerBufferedBytes
    }

    /// Measured to keep a process under 64 MiB while moving a 4 GiB payload
    /// at full speed (docs/benchmarks.md): the producer keeps at most 8 MiB
    /// in flight and in librdkafka's queue; the consumer fetches at most
    /// 2 MiB per partition and 4 MiB per request, queues at most 4 MiB and
    /// buffers at most 8 MiB for the application.
    public static let bounded = KafkaMemoryBudget(
        producerInFlightBytes: 8 << 20, producerQueueBytes: 8 << 20, consumerPartitionFetchBytes: 2 << 20, consumerFetchBytes: 4 << 20,
        consumerQueuedBytes: 4 << 20, consumerBufferedBytes: 8 << 20
    )

    /// Room for a record's headers and batch framing beside its payload.
    static let recordHeadroom = 64 << 10

    /// Applies the producer's limits to `producer`, and raises its
    /// `message.max.bytes` so that a chunk of `chunkSize` and its headers fit a record.
    public func apply(to producer: inout KafkaProducerConfiguration, chunkSize: Int) {
        producer.maximumInFlightBytes = producerInFlightBytes
        producer.queueBufferingMaxKBytes = producerQueueBytes >> 10
        producer.connection.messageMaxBytes = max(producer.connection.messageMaxBytes, chunkSize + Self.recordHeadroom)
    }

    /// Applies the consumer's limits to `consumer`.
    public func apply(to consumer: inout KafkaConsumerConfiguration) {
        consumer.maxPartitionFetchBytes = consumerPartitionFetchBytes
        consumer.fetchMaxBytes = consumerFetchBytes
        consumer.queuedMaxMessagesKBytes = consumerQueuedBytes >> 10
        consumer.maximumBufferedBytes = consumerBufferedBytes
    }
}
