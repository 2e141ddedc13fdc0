import CRdKafka

/// An error from the Kafka client: librdkafka's error code and name, its
/// message, and whether the operation may be retried or the client is
/// unusable (fatal).
public struct KafkaClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case librdkafka, invalidConfiguration, unsupportedLibraryVersion, closed, deliveryFailed, timedOut, topicError, valueReleased
        }
        private let backing: Backing
        /// librdkafka reported an error from a call or a broker.
        public static let librdkafka = Kind(backing: .librdkafka)
        /// A setting was rejected when the client was created.
        public static let invalidConfiguration = Kind(backing: .invalidConfiguration)
        /// The installed librdkafka is older than the minimum supported version.
        public static let unsupportedLibraryVersion = Kind(backing: .unsupportedLibraryVersion)
        /// The client was closed.
        public static let closed = Kind(backing: .closed)
        /// One or more messages could not be delivered.
        public static let deliveryFailed = Kind(backing: .deliveryFailed)
        /// An operation did not finish within its timeout.
        public static let timedOut = Kind(backing: .timedOut)
        /// An admin operation failed for one topic.
        public static let topicError = Kind(backing: .topicError)
        /// A consumed record's value was read after it was released (``KafkaRecordValue``).
        public static let valueReleased = Kind(backing: .valueReleased)
        public var description: String { "\(backing)" }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// librdkafka's error code (`rd_kafka_resp_err_t`); negative codes are
    /// local to the client, positive ones come from a broker; 0 if none.
    public let code: Int32
    /// librdkafka's name for the code, such as `_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public let name: String
    /// What went wrong, in words.
    public let message: String
    /// The client cannot continue and must be recreated.
    public let isFatal: Bool
    /// Retrying the same operation may succeed.
    public let isRetriable: Bool
    /// The transaction in progress failed: abort it (``KafkaProducer/abortTransaction(timeout:)``)
    /// and start again; the producer stays usable.
    public let requiresAbort: Bool

    init(kind: Kind, code: Int32 = 0, message: String, isFatal: Bool = false, isRetriable: Bool? = nil, requiresAbort: Bool = false) {
        self.kind = kind
        self.requiresAbort = requiresAbort
        self.code = code
        self.name = code == 0 ? "NO_ERROR" : String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(code)))
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable ?? KafkaClientError.isRetriable(code: code)
    }

    /// An error for a librdkafka response code, with librdkafka's text unless
    /// `message` says more.
    init(_ error: rd_kafka_resp_err_t, kind: Kind = .librdkafka, message: String? = nil, isFatal: Bool = false) {
        let text = String(cString: rd_kafka_err2str(error))
        let kind = error == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timedOut : kind
        self.init(kind: kind, code: error.rawValue, message: message.map { "\($0): \(text)" } ?? text, isFatal: isFatal || error == RD_KAFKA_RESP_ERR__FATAL)
    }

    /// Takes ownership of a librdkafka error object and destroys it.
    init(consuming error: OpaquePointer, kind: Kind = .librdkafka) {
        defer { rd_kafka_error_destroy(error) }
        let code = rd_kafka_error_code(error)
        self.init(
            kind: code == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timedOut : kind,
            code: code.rawValue,
            message: String(cString: rd_kafka_error_string(error)),
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0
        )
    }

    static func closed(_ what: String) -> KafkaClientError {
        KafkaClientError(kind: .closed, message: "\(what) is closed")
    }

    static func valueReleased(count: Int) -> KafkaClientError {
        KafkaClientError(kind: .valueReleased, message: "the record's value (\(count) bytes) was already released to librdkafka")
    }

    public var description: String {
        code == 0 ? "KafkaClientError.\(kind): \(message)" : "KafkaClientError.\(kind) \(name) (\(code)): \(message)"
    }

    /// Local librdkafka conditions and broker codes after which the same
    /// request may succeed.
    /// Whether the same work would meet this error again however often it is
    /// tried: a record too large or invalid, an invalid topic, an
    /// authorization refused.
    public var isPermanent: Bool {
        Self.permanentCodes.contains(code)
    }

    /// Whether the client could not prove who it is: SASL refused
    /// (`_AUTHENTICATION`, `SASL_AUTHENTICATION_FAILED`, a mechanism the
    /// broker does not enable) or TLS failed (`_SSL`: an untrusted or
    /// misnamed broker certificate; or a `_TRANSPORT` error carrying the
    /// broker's TLS alert, as TLS 1.3 refuses a missing or untrusted client
    /// certificate only after the handshake, which librdkafka reports as
    /// "Receive failed: ... alert certificate required: SSL alert number 116").
    public var isAuthenticationFailure: Bool {
        Self.authenticationCodes.contains(code)
            || (code == RD_KAFKA_RESP_ERR__TRANSPORT.rawValue && message.contains("SSL alert number"))
    }

    /// Whether the broker's ACLs refused the principal: `TOPIC_`, `GROUP_`,
    /// `CLUSTER_` or `TRANSACTIONAL_ID_AUTHORIZATION_FAILED`.
    public var isAuthorizationFailure: Bool {
        Self.authorizationCodes.contains(code)
    }

    private static let authenticationCodes: Set<Int32> = Set(([
        RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR__SSL, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
        RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM, RD_KAFKA_RESP_ERR_ILLEGAL_SASL_STATE,
    ] as [rd_kafka_resp_err_t]).map(\.rawValue))

    private static let authorizationCodes: Set<Int32> = Set(([
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    ] as [rd_kafka_resp_err_t]).map(\.rawValue))

    private static let permanentCodes: Set<Int32> = Set(([
        RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
        RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
        RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED,
    ] as [rd_kafka_resp_err_t]).map(\.rawValue))

    private static func isRetriable(code: Int32) -> Bool {
        retriableCodes.contains(code)
    }

    private static let retriableCodes: Set<Int32> = Set(([
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__RETRY, RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS,
        RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__UNKNOWN_BROKER, RD_KAFKA_RESP_ERR__NODE_UPDATE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
        RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
        RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND,
        RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_PREFERRED_LEADER_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED,
        RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH, RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH,
    ] as [rd_kafka_resp_err_t]).map(\.rawValue))
}

/// Throws a `KafkaClientError` for a librdkafka result other than success.
func check(_ code: rd_kafka_resp_err_t, _ what: String) throws {
    guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
    throw KafkaClientError(code, message: what)
}
