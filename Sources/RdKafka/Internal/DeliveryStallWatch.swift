import CRdKafka
import NIOConcurrencyHelpers

/// Enforces `message.timeout.ms` where librdkafka does not: librdkafka 2.0
/// never times out messages whose partition leader is down (all brokers
/// gone mid-send), so a sender would wait for reports forever. This watches
/// the messages handed to librdkafka and says when none of them was
/// reported for longer than the timeout (0 is infinite, as in librdkafka);
/// the producer then fails them all. It also keeps what the broker last
/// refused a produce request with, so the failure can say why (a full
/// disk, say).
final class DeliveryStallWatch: Sendable {
    private struct State {
        var outstanding = 0
        var lastProgress = ContinuousClock.now
        /// When the watch last failed the messages in flight, until a delivery succeeds.
        var stalledAt: ContinuousClock.Instant?
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

    /// A message's report arrived (`delivered` or not); whether it failed
    /// after a stall (so its error should say so).
    func reported(delivered: Bool) -> Bool {
        state.withLockedValue { state in
            state.outstanding -= 1
            state.lastProgress = .now
            if delivered {
                state.stalledAt = nil
                state.brokerError = nil
            }
            return state.stalledAt != nil && !delivered
        }
    }

    /// A produce request failed with `error` (librdkafka retries it); kept
    /// if the broker said it (librdkafka's own errors start with `Local:`)
    /// and it is a cause, not the out-of-order sequence that an idempotent
    /// producer's requests behind a refused one get.
    func produceFailed(_ error: String) {
        guard !error.hasPrefix("Local:"), error != Self.outOfOrderText else { return }
        state.withLockedValue { $0.brokerError = error }
    }

    private static let outOfOrderText = String(cString: rd_kafka_err2str(RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER))

    /// Whether messages are outstanding and none was reported for longer
    /// than the timeout; if so, the caller fails them.
    func isStalled(now: ContinuousClock.Instant = .now) -> Bool {
        guard timeout > .zero else { return false }
        return state.withLockedValue { state in
            guard state.outstanding > 0, now - state.lastProgress > timeout else { return false }
            state.stalledAt = now
            state.lastProgress = now
            return true
        }
    }

    /// Whether the watch failed messages within the last timeout, with no
    /// delivery since: the broker is gone, and waiting for more is pointless.
    func stalledRecently(now: ContinuousClock.Instant = .now) -> Bool {
        state.withLockedValue { state in state.stalledAt.map { now - $0 < timeout } ?? false }
    }

    /// The error for a message that timed out on `destination`.
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
