import RdKafka

/// A batch of source records moved without a transaction: their output is
/// handed to the producer, and only once all of it is acknowledged are the
/// source offsets committed. After a failure, ``rewind()`` keeps the work
/// done before the failing record and puts the consumer back at it, so it
/// is moved again (and, if even that cannot be settled, at the batch's
/// first records).
struct AtLeastOnceBatch {
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    private var firstOffsets: [KafkaTopicPartition: Int64] = [:]
    private var nextOffsets: [KafkaTopicPartition: Int64] = [:]
    private var deliveries: [KafkaDelivery] = []
    private var work = BridgeWork()
    /// Where the record that failed lies.
    private var failed: KafkaPartitionOffset?

    init(consumer: KafkaConsumer, producer: KafkaProducer) {
        self.consumer = consumer
        self.producer = producer
    }

    /// Reads up to `maximumRecords` records for at most `maximumDuration`
    /// and hands each to `translate`, which sends what it must itself and
    /// returns the records to write.
    mutating func take(
        maximumRecords: Int, maximumDuration: Duration,
        _ translate: (KafkaConsumerRecord, inout BridgeWork) async throws -> [KafkaProducerMessage]
    ) async throws {
        let deadline = ContinuousClock.now + maximumDuration
        var taken = 0
        while taken < maximumRecords, ContinuousClock.now < deadline {
            guard let record = try await consumer.nextRecord(timeout: deadline - ContinuousClock.now) else { break }
            if firstOffsets[record.topicPartition] == nil { firstOffsets[record.topicPartition] = record.offset }
            do {
                var recordWork = BridgeWork()
                for output in try await translate(record, &recordWork) { deliveries.append(try await producer.submit(output)) }
                work.add(recordWork)
            } catch {
                failed = KafkaPartitionOffset(record.topicPartition, offset: record.offset)
                throw error
            }
            nextOffsets[record.topicPartition] = record.offset + 1
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

    /// After a failure: commits the records before the failing one if their
    /// output is acknowledged, and returns that work, with the consumer back
    /// at the failing record; else goes back to the batch's first records
    /// and returns nothing.
    func rewind() async throws -> BridgeWork {
        if let failed, let done = try? await commit() {
            try await consumer.seek([failed])
            return done
        }
        if !firstOffsets.isEmpty {
            try await consumer.seek(firstOffsets.map { KafkaPartitionOffset($0.key, offset: $0.value) })
        }
        return BridgeWork()
    }
}
