import KafkaProtocol

extension ProduceHandler {
    /// A batch of a Produce request with a transactional id must be
    /// transactional, idempotent (sequence numbers) and of the producer id and
    /// epoch of the transaction in progress (`writer`); a request without one
    /// may not carry transactional batches.
    static func checkTransactional(_ header: RecordBatchHeader, writer: TransactionWriter?) throws {
        guard let writer else {
            if header.attributes.isTransactional {
                throw TopicError(code: .invalidRecord, message: "a transactional batch needs a Produce request with a transactional id")
            }
            return
        }
        guard header.attributes.isTransactional, header.baseSequence >= 0 else {
            throw TopicError(code: .invalidRecord, message: "a Produce request with a transactional id must carry transactional batches with sequence numbers")
        }
        guard header.producerId == writer.producerId else {
            throw TopicError(code: .invalidProducerIdMapping, message: "producer id \(header.producerId) is not the transaction's (\(writer.producerId))")
        }
        guard header.producerEpoch == writer.epoch else {
            throw TopicError(code: .invalidProducerEpoch, message: "producer epoch \(header.producerEpoch) is not the transaction's (\(writer.epoch))")
        }
    }
}
