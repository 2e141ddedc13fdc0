import CRdKafka
import NIOConcurrencyHelpers

/// Enforces `message.timeout.ms` where librdkafka does not: librdkafka 2.0
/// never times out messages whose partition leader is down (all brokers
/// gone mid-send), so a sender would wait for reports forever. This watches
/// the messages handed to librdkafka and says when none of them was
/// reported for longer than the timeout; the producer then fails them all,
/// and fails new messages at once until one is delivered again or another
/// timeout has passed. It also keeps what the broker last refused a produce
/// request with, so the failure can say why (a full disk, say).
final class DeliveryStallWatch: Sendable {
    private struct State {
        var outstanding = 0
        var lastProgress = ContinuousClock.now
        /// Messages are being failed, or new ones refused, until this time
        /// or the next delivery.
        var failingUntil: ContinuousClock.Instant?
        /// What the broker last refused a produce request with, since the last delivery.
        var brokerError: String?
    }

    let timeout: Duration
    private let state = NIOLockedValueBox(State())

    init(timeout: Duration) {
        self.timeout = timeout
    }

    /// A message was handed to librdkafka.
    func handedOver() {
        state.withLockedValue { state in
            if state.outstanding == 0 { state.lastProgress = .now }
            state.outstanding += 1
        }
    }

    /// A message's report arrived (`delivered` or not); whether the watch
    /// had failed it.
    func reported(delivered: Bool) -> Bool {
        state.withLockedValue { state in
            state.outstanding -= 1
            state.lastProgress = .now
            let failedByWatch = state.failingUntil != nil
            if delivered {
                state.failingUntil = nil
                state.brokerError = nil
            }
            return failedByWatch && !delivered
        }
    }

    /// The broker refused a produce request with `error` (librdkafka retries it).
    func brokerRefused(_ error: String) {
        state.withLockedValue { $0.brokerError = error }
    }

    /// Whether new messages should fail at once: the last ones stalled.
    func isFailing(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { state in
            guard let until = state.failingUntil else { return false }
            if now < until { return true }
            state.failingUntil = nil
            return false
        }
    }

    /// Whether messages are outstanding and none was reported for longer
    /// than the timeout; if so, the caller fails them.
    func isStalled(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { state in
            guard state.outstanding > 0, state.failingUntil == nil, now - state.lastProgress > timeout else { return false }
            state.failingUntil = now + timeout
            return true
        }
    }

    /// The error for a message the watch failed (or refused) on `destination`.
    func error(for destination: String) -> KafkaClientError {
        let brokerError = state.withLockedValue { $0.brokerError }
        let storageText = String(cString: rd_kafka_err2str(RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR))
        let code = brokerError == storageText ? RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR : RD_KAFKA_RESP_ERR__MSG_TIMED_OUT
        let why = brokerError.map { "the broker refused the records: \($0)" } ?? "the broker is down or unreachable"
        return KafkaClientError(
            kind: .timedOut, code: code.rawValue,
            message: "\(destination): no acknowledgement within message.timeout.ms (\(timeout)); \(why)"
        )
    }
}
