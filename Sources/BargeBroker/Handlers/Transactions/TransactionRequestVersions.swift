import KafkaProtocol

extension RequestContext {
    /// The code that tells a fenced producer so in this request's version:
    /// PRODUCER_FENCED from `firstVersion` on (Kafka 2.7), INVALID_PRODUCER_EPOCH before.
    func fencedCode(since firstVersion: Int16) -> KafkaErrorCode {
        header.apiVersion >= firstVersion ? .producerFenced : .invalidProducerEpoch
    }

    /// Logs a refused transactional request at debug level (refusals are the clients' business).
    func logRefusal(_ refusal: TransactionRefusal, transactionalId: String) {
        logger.debug("transactional request refused", metadata: [
            "api": "\(header.apiKey)", "transactional-id": "\(transactionalId)", "code": "\(refusal.code.name)", "reason": "\(refusal.message)",
        ])
    }
}
