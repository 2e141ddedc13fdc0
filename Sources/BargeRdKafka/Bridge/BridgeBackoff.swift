import Barge
import Logging
import ObjectStore
import RdKafka
import ServiceLifecycle

/// The pause before retrying after a transient failure: 100 ms, doubling
/// to at most 5 s, back to the start after a success.
struct BridgeBackoff {
    private static let first: Duration = .milliseconds(100)
    private static let longest: Duration = .seconds(5)
    private var next = first

    /// Sleeps the current pause (throws `CancellationError` if cancelled) and doubles it.
    mutating func pause() async throws {
        try await Task.sleep(for: next)
        next = min(next * 2, Self.longest)
    }

    mutating func reset() {
        next = Self.first
    }

    /// Whether `error` may pass by itself (a store or cluster that is down or
    /// slow), so that the work is retried rather than the bridge stopped.
    static func isTransient(_ error: any Error) -> Bool {
        if let failure = error as? ObjectStoreError {
            return failure.kind == .unavailable || failure.kind == .io || failure.kind == .badResponse
        }
        if let failure = error as? KafkaClientError {
            return !failure.isFatal && (failure.isRetriable || failure.requiresAbort)
        }
        return false
    }
}

extension BridgeBackoff {
    /// Runs `worker` until it returns; when it fails with an error that may
    /// pass (a Kafka error that is neither fatal nor permanent, a rebalance
    /// that took a partition mid-transaction, a store that could not be read),
    /// runs it again after a pause: new clients start from the committed
    /// offsets, and the new producer's transactional id aborts whatever the
    /// old one left open, so nothing is lost or doubled. Other errors (a
    /// newer bridge with the same id fenced this one, a record too large for
    /// the target, a refused authorization) end it. The pause starts over
    /// once a run lasted a minute.
    static func restarting(logger: Logger, counters: BridgeCounters, _ worker: () async throws -> Void) async throws {
        var backoff = BridgeBackoff()
        while true {
            let started = ContinuousClock.now
            do {
                return try await worker()
            } catch where Task.isShuttingDownGracefully && !(error is BargeBridgeError) {
                logger.debug("the worker stopped while shutting down: \(error)")
                return
            } catch where isWorthRestarting(error) && !Task.isCancelled {
                logger.warning("the worker stopped on an error that may pass; restarting it from the committed offsets", metadata: ["error": "\(error)"])
                counters.retried()
                if ContinuousClock.now - started > .seconds(60) { backoff.reset() }
                try await backoff.pause()
            }
        }
    }

    private static func isWorthRestarting(_ error: any Error) -> Bool {
        if let failure = error as? KafkaClientError {
            return !failure.isFatal && !failure.isPermanent
        }
        if let failure = error as? BargeConsumerError { return failure.kind == .objectStore || failure.kind == .revoked }
        if let failure = error as? BargeBridgeError { return failure.kind == .rebalanced }
        return isTransient(error)
    }
}
