/// Runs `body`, cancelling it and throwing a ``BenchFailure`` naming `what`
/// if it takes longer than `limit`.
func withDeadline<Result: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> Result
) async throws -> Result {
    try await withThrowingTaskGroup(of: Result.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw BenchFailure("\(what) took longer than \(limit)")
        }
        defer { group.cancelAll() }
        return try await group.next()!
    }
}
