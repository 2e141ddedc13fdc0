/// How S3 requests are retried after a failure that may pass (`ObjectStoreError.Kind.unavailable`):
/// a bounded number of attempts with exponential backoff and jitter.
public struct S3RetryPolicy: Sendable, Hashable {
    /// How many times a request is tried in all, the first time included. Default: 5.
    public let maxAttempts: Int
    /// The pause ceiling before the first retry; it doubles with each retry. Default: 100 ms.
    public let initialBackoff: Duration
    /// The largest pause between two attempts. Default: 5 s.
    public let maxBackoff: Duration

    /// A policy trying `maxAttempts` times in all (at least 1).
    public init(maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(100), maxBackoff: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = max(.zero, initialBackoff)
        self.maxBackoff = max(.zero, maxBackoff)
    }

    /// Tries once and never retries.
    public static let never = S3RetryPolicy(maxAttempts: 1)

    /// The pause before retry number `retry` (1 after the first failure): the ceiling
    /// `min(maxBackoff, initialBackoff × 2^(retry-1))` scaled by `0.5 + jitter / 2`, so
    /// concurrent clients spread out but never retry immediately.
    ///
    /// - Parameter jitter: a random number in `0 ..< 1` (clamped).
    public func backoff(beforeRetry retry: Int, jitter: Double) -> Duration {
        let doublings = min(max(retry - 1, 0), 30)
        let ceiling = min(maxBackoff, initialBackoff * (1 << doublings))
        return ceiling * (0.5 + min(max(jitter, 0), 1) / 2)
    }
}
