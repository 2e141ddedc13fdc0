import ObjectStore
import RdKafka

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
