import NIOPosix

/// Where the file-system store's system calls run: NIO's thread pool for blocking work,
/// never Swift's cooperative pool.
enum BlockingIO {
    /// Runs `body` on the thread pool; throws `CancellationError` without running it when
    /// the task is cancelled first.
    static func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await NIOThreadPool.singleton.runIfActive(body)
    }

    /// Runs `body` on the thread pool even when the current task is cancelled, for clean-up
    /// that must happen because the task was cancelled.
    static func runToCompletion(_ body: @escaping @Sendable () -> Void) async {
        await Task { try? await NIOThreadPool.singleton.runIfActive(body) }.value
    }
}
