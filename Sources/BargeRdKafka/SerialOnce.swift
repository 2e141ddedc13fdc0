/// Runs an async setup once, successfully: callers while it runs wait for
/// it, and after a failure the next caller tries again.
actor SerialOnce {
    private var done = false
    private var running: Task<Void, any Error>?

    func run(_ setup: @escaping @Sendable () async throws -> Void) async throws {
        if done { return }
        if let running { return try await running.value }
        let task = Task { try await setup() }
        running = task
        do {
            try await task.value
            done = true
            running = nil
        } catch {
            running = nil
            throw error
        }
    }
}
