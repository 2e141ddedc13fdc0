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
            return failure.kind != .configuration && failure.kind != .invalidKey
        }
        if let failure = error as? KafkaClientError {
            return !failure.isFatal && (failure.isRetriable || failure.requiresAbort)
        }
        return false
    }
}

extension BridgeBackoff {
    /// Runs `worker` until it returns; when it fails with a Kafka error
    /// that is not fatal (a rebalance took a partition mid-transaction, a
    /// seek failed) or a store that could not be read, runs it again after a pause: new clients start from the
    /// committed offsets, and the new producer's transactional id aborts
    /// whatever the old one left open, so nothing is lost or doubled. Fatal
    /// errors (a newer bridge with the same id fenced this one) end it.
    private static func isWorthRestarting(_ error: any Error) -> Bool {
        if let failure = error as? KafkaClientError { return !failure.isFatal }
        if let failure = error as? BargeConsumerError { return failure.kind == .objectStore }
        return isTransient(error)
    }

    static func restarting(logger: Logger, counters: BridgeCounters, _ worker: () async throws -> Void) async throws {
        var backoff = BridgeBackoff()
        while true {
            do {
                return try await worker()
            } catch where isWorthRestarting(error) && !Task.isCancelled && !Task.isShuttingDownGracefully {
                logger.warning("the worker stopped on an error that may pass; restarting it from the committed offsets", metadata: ["error": "\(error)"])
                counters.retried()
                try await backoff.pause()
            }
        }
    }
}
