/// A broker-wide byte rate (`remote.log.manager.copy.max.bytes.per.second`
/// and `...fetch.max.bytes.per.second`): callers take bytes before moving
/// them and wait when the rate is used up. Unlimited when the rate is `Int64.max`.
actor ByteRateLimiter {
    private let bytesPerSecond: Int64
    private var nextFree = ContinuousClock.now

    init(bytesPerSecond: Int64) {
        self.bytesPerSecond = bytesPerSecond
    }

    /// Waits until `count` more bytes fit in the rate.
    func take(_ count: Int) async throws {
        guard bytesPerSecond != .max, count > 0 else { return }
        let now = ContinuousClock.now
        let start = max(now, nextFree)
        nextFree = start + .seconds(Double(count) / Double(bytesPerSecond))
        if start > now { try await Task.sleep(until: start, clock: .continuous) }
    }
}
