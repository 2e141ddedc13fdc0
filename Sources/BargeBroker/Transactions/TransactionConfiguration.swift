import KafkaProtocol

/// The transaction coordinator's settings, with Kafka's names.
struct TransactionConfiguration: Sendable, Equatable {
    /// `transaction.max.timeout.ms`: the longest `transaction.timeout.ms` a
    /// producer may ask for; a longer one gets INVALID_TRANSACTION_TIMEOUT. Default: 900000 (15 minutes).
    var maxTimeoutMs: Int32 = 900_000
    /// `transaction.abort.timed.out.transaction.cleanup.interval.ms`: how
    /// often transactions past their timeout are aborted (and unfinished
    /// markers retried). Default: 10000.
    var abortTimedOutIntervalMs: Int64 = 10_000
    /// `transactional.id.expiration.ms`: a transactional id with no
    /// transaction in progress is forgotten after this long without a
    /// request. Default: 604800000 (7 days).
    var idExpirationMs: Int64 = 604_800_000
}

/// A transactional request refused: the Kafka error code, and a sentence for the log.
struct TransactionRefusal: Error, Sendable, Equatable {
    let code: KafkaErrorCode
    let message: String

    init(_ code: KafkaErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}
