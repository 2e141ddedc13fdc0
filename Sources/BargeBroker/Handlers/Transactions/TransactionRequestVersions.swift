import KafkaProtocol

extension RequestContext {
    /// The code that tells a fenced producer so in this request's version:
    /// PRODUCER_FENCED from `firstVersion` on (Kafka 2.7), INVALID_PRODUCER_EPOCH before.
    func fencedCode(since firstVersion: Int16) -> KafkaErrorCode {
        header.apiVersion >= firstVersion ? .producerFenced : .invalidProducerEpoch
    }

    /// Runs a coordinator call and returns the error code to answer: 0, or
    /// its refusal's code (logged with `logRefusal`).
    func errorCode(transactionalId: String, of call: () async throws(TransactionRefusal) -> Void) async -> Int16 {
        do {
            try await call()
            return KafkaErrorCode.none.code
        } catch {
            logRefusal(error, transactionalId: transactionalId)
            return error.code.code
        }
    }

    /// Logs a refused transactional request at debug level (refusals are the clients' business).
    func logRefusal(_ refusal: TransactionRefusal, transactionalId: String) {
        logger.debug("transactional request refused", metadata: [
            "api": "\(header.apiKey)", "transactional-id": "\(transactionalId)", "code": "\(refusal.code.name)", "reason": "\(refusal.message)",
        ])
    }
}
