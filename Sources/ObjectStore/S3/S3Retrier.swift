import Logging

/// Runs an operation under an `S3RetryPolicy`, with the clock and the randomness injectable
/// so tests can check the schedule without waiting.
struct S3Retrier: Sendable {
    let policy: S3RetryPolicy
    /// A random number in `0 ..< 1` for each pause's jitter.
    let random: @Sendable () -> Double
    /// Pauses; throws when the task is cancelled.
    let sleep: @Sendable (Duration) async throws -> Void

    init(
        policy: S3RetryPolicy,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.policy = policy
        self.random = random
        self.sleep = sleep
    }

    /// Runs `operation` until it succeeds, throws something other than a retryable
    /// `ObjectStoreError`, or has been tried `policy.maxAttempts` times (then its last error is thrown).
    func run<Result>(
        _ description: @autoclosure () -> String,
        logger: Logger,
        _ operation: () async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as ObjectStoreError where error.isRetryable && attempt < policy.maxAttempts {
                let pause = policy.backoff(beforeRetry: attempt, jitter: random())
                logger.debug("S3 \(description()) failed, retrying", metadata: [
                    "attempt": "\(attempt)", "pause": "\(pause)", "error": "\(error)",
                ])
                try await sleep(pause)
                attempt += 1
            }
        }
    }
}
