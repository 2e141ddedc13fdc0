import CRdKafka

/// The transactional producer (``KafkaProducerConfiguration/transactionalID``):
/// every message sent between ``beginTransaction()`` and
/// ``commitTransaction(timeout:)`` becomes visible to read_committed
/// consumers at once, or (``abortTransaction(timeout:)``) never.
///
/// ```swift
/// try await producer.initTransactions()
/// try producer.beginTransaction()
/// try await producer.enqueue(KafkaProducerMessage(topic: "out", value: bytes))
/// try await producer.sendOffsetsToTransaction(offsets, of: consumer)
/// try await producer.commitTransaction()
/// ```
///
/// Errors tell what to do next: ``KafkaClientError/isRetriable`` (call the
/// same method again), ``KafkaClientError/requiresAbort`` (abort, then begin
/// again), ``KafkaClientError/isFatal`` (the producer was fenced by a newer
/// one with the same id, or cannot go on: close it). The blocking librdkafka
/// calls run on threads of their own.
extension KafkaProducer {
    /// Registers the transactional id with the coordinator: fences older
    /// producers with the same id and completes or aborts what they left.
    /// Call once before the first transaction.
    public func initTransactions(timeout: Duration = .seconds(60)) async throws {
        try await transactionCall("init transactions") { rd_kafka_init_transactions($0, Int32(clamping: timeout.milliseconds)) }
    }

    /// Starts a transaction (local: the coordinator hears of it with the first message).
    public func beginTransaction() throws {
        if let error = rd_kafka_begin_transaction(rawHandle) { throw KafkaClientError(consuming: error) }
    }

    /// Sends the consumer's position to the transaction: the group's offsets
    /// commit with it (consume-transform-produce exactly once). `offsets` are
    /// the next offsets to consume; `consumer` is the group member that read them.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaPartitionOffset], of consumer: KafkaConsumer, timeout: Duration = .seconds(60)
    ) async throws {
        try await sendOffsetsToTransaction(offsets, groupMetadata: try consumer.requireGroupMetadata(), timeout: timeout)
    }

    /// Sends offsets to the transaction as the group member `groupMetadata`
    /// names (taken before the transaction read its first record): if a
    /// rebalance moved the group on since, the coordinator refuses them and
    /// the transaction must be aborted.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaPartitionOffset], groupMetadata: KafkaGroupMetadata, timeout: Duration = .seconds(60)
    ) async throws {
        try await transactionCall("send offsets to the transaction") { producer in
            let list = RDKafkaTopicPartitionList.make(offsets)
            defer { rd_kafka_topic_partition_list_destroy(list) }
            return withExtendedLifetime(groupMetadata) {
                rd_kafka_send_offsets_to_transaction(producer, list, groupMetadata.pointer, Int32(clamping: timeout.milliseconds))
            }
        }
    }

    /// Delivers every message of the transaction, then commits it.
    public func commitTransaction(timeout: Duration = .seconds(60)) async throws {
        try await transactionCall("commit the transaction") { rd_kafka_commit_transaction($0, Int32(clamping: timeout.milliseconds)) }
        if let failure = deliveryFailures() { throw failure }
    }

    /// Aborts the transaction: its messages not yet sent are dropped (their
    /// sends fail) and read_committed consumers skip those that were.
    public func abortTransaction(timeout: Duration = .seconds(60)) async throws {
        try await transactionCall("abort the transaction") { rd_kafka_abort_transaction($0, Int32(clamping: timeout.milliseconds)) }
        _ = deliveryFailures()
    }

    private func transactionCall(_ what: String, _ call: @escaping @Sendable (OpaquePointer) -> OpaquePointer?) async throws {
        let handle = UncheckedPointer(pointer: rawHandle)
        let failure = try await DedicatedThread.run(name: "rdk-txn") { () -> KafkaClientError? in
            call(handle.pointer).map { KafkaClientError(consuming: $0) }
        }
        if let failure { throw failure }
    }
}
