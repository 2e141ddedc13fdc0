/// Runs a transfer's receiving and sending side at once, within the
/// benchmark's deadline, and returns the time from the start of sending to
/// the moment `receive` says the last byte was written.
func timeTransfer(
    _ what: String,
    receive: @escaping @Sendable () async throws -> ContinuousClock.Instant,
    send: @escaping @Sendable () async throws -> Void
) async throws -> Duration {
    try await withDeadline(.seconds(900), what) {
        try await withThrowingTaskGroup(of: ContinuousClock.Instant.self) { group in
            group.addTask { try await receive() }
            let start = ContinuousClock.now
            try await send()
            let end = try await group.next()!
            return end - start
        }
    }
}
