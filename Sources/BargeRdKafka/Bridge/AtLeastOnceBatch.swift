import RdKafka

/// A batch of source records moved without a transaction: their output is
/// handed to the producer, and only once all of it is acknowledged are the
/// source offsets committed. After a failure, ``rewind()`` puts the consumer
/// back at the batch's first records so they are moved again.
struct AtLeastOnceBatch {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    private var firstOffsets: [KafkaTopicPartition: Int64] = [:]
    private var nextOffsets: [KafkaTopicPartition: Int64] = [:]
    private var deliveries: [KafkaDelivery] = []
    private var work = BridgeWork()

    init(consumer: KafkaConsumer, producer: KafkaProducer) {
        self.consumer = consumer
        self.producer = producer
    }

    /// Reads up to `maximumRecords` records for at most `maximumDuration`
    /// and hands each to `translate`, which sends what it must itself and
    /// returns a record to write, if any.
    mutating func take(
        maximumRecords: Int, maximumDuration: Duration,
        _ translate: (KafkaConsumerMessage, inout BridgeWork) async throws -> KafkaProducerMessage?
    ) async throws {
        let deadline = ContinuousClock.now + maximumDuration
        var taken = 0
        while taken < maximumRecords, ContinuousClock.now < deadline {
            guard let record = try await consumer.nextMessage(timeout: deadline - ContinuousClock.now) else { break }
            if firstOffsets[record.topicPartition] == nil { firstOffsets[record.topicPartition] = record.offset }
            nextOffsets[record.topicPartition] = record.offset + 1
            if let output = try await translate(record, &work) { deliveries.append(try await producer.submit(output)) }
            taken += 1
        }
    }

    /// Waits for every record's acknowledgement, then commits the offsets
    /// after the batch; returns what the batch moved.
    func commit() async throws -> BridgeWork {
        for delivery in deliveries { _ = try await delivery.report() }
        guard !nextOffsets.isEmpty else { return work }
        try await consumer.commit(nextOffsets.map { KafkaPartitionOffset($0.key, offset: $0.value) })
        return work
    }

    /// Puts the consumer back at the batch's first record of each partition.
    func rewind() async throws {
        guard !firstOffsets.isEmpty else { return }
        try await consumer.seek(firstOffsets.map { KafkaPartitionOffset($0.key, offset: $0.value) })
    }
}
