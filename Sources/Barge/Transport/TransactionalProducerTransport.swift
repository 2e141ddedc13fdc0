/// A ``ProducerTransport`` that groups records into Kafka transactions:
/// the records handed over between ``beginTransaction()`` and
/// ``commitTransaction()`` become visible to read_committed consumers all
/// at once, or, after ``abortTransaction()``, never. One transaction at a
/// time; `BargeRdKafka`'s transport is one when its producer has a
/// `transactional.id`.
public protocol TransactionalProducerTransport: ProducerTransport {
    /// Starts a transaction (registering the producer with the coordinator first, once).
    func beginTransaction() async throws
    /// Delivers every record of the transaction, then commits it.
    func commitTransaction() async throws
    /// Aborts the transaction: its records are never shown to read_committed consumers.
    func abortTransaction() async throws
}
