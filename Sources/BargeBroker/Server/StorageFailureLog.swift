import Logging
import NIOConcurrencyHelpers

/// Logs failed appends (a full disk, an I/O error) as errors once per burst:
/// the first failure is logged with its cause, later ones within `quietPeriod`
/// only counted, and the count is given with the next failure logged. A
/// client retrying against a full disk so does not flood the broker's log.
final class StorageFailureLog: Sendable {
    /// How long after a logged failure the next ones are only counted.
    static let quietPeriod: ContinuousClock.Duration = .seconds(10)

    private struct State {
        var lastLogged: ContinuousClock.Instant?
        var suppressed = 0
    }

    private let state = NIOLockedValueBox(State())

    /// Records a failed append to `topic`'s `partition`, logging it unless one was logged within the quiet period.
    func report(_ error: any Error, topic: String, partition: Int32, logger: Logger) {
        let now = ContinuousClock.now
        let suppressed: Int? = state.withLockedValue { state in
            if let last = state.lastLogged, now - last < Self.quietPeriod {
                state.suppressed += 1
                return nil
            }
            defer { state.suppressed = 0 }
            state.lastLogged = now
            return state.suppressed
        }
        guard let suppressed else { return }
        logger.error("append failed: producers get KAFKA_STORAGE_ERROR until the data directory can be written again", metadata: [
            "topic": "\(topic)", "partition": "\(partition)", "error": "\(error)",
            "failuresNotLoggedSinceLast": "\(suppressed)",
        ])
    }
}
