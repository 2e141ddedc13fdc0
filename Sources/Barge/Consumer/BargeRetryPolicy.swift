/// How often, and how patiently, a failed operation is tried again:
/// exponential backoff with full jitter, between `initialDelay` and `maximumDelay`.
public struct BargeRetryPolicy: Hashable, Sendable {
    /// Retries after the first failure.
    public var retries: Int
    /// The delay bound before the first retry; it doubles with each retry.
    public var initialDelay: Duration
    /// The largest delay bound.
    public var maximumDelay: Duration

    /// A policy; by default 5 retries from 200 ms up to 5 s.
    public init(retries: Int = 5, initialDelay: Duration = .milliseconds(200), maximumDelay: Duration = .seconds(5)) {
        self.retries = retries
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The delay before retry number `retry` (1-based): uniformly random up to the bound.
    func delay(beforeRetry retry: Int) -> Duration {
        let bound = min(initialDelay * (1 << min(retry - 1, 20)), maximumDelay)
        let nanoseconds = max(bound.components.seconds * 1_000_000_000 + bound.components.attoseconds / 1_000_000_000, 1)
        return .nanoseconds(Int64.random(in: 0...nanoseconds))
    }
}
