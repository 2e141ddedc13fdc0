import NIOPosix

/// Runs blocking work (file I/O in partition logs) on dedicated threads so that
/// it never blocks Swift's cooperative thread pool.
public struct BlockingIOPool: Sendable {
    private let threadPool: NIOThreadPool

    /// Wraps a started thread pool.
    public init(threadPool: NIOThreadPool) {
        self.threadPool = threadPool
    }

    /// Runs `body` on one of the pool's threads and returns its result.
    public func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await threadPool.runIfActive(body)
    }
}
