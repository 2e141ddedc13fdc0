import Foundation

/// A thread of its own for blocking work (file reads and writes): jobs run
/// on it one at a time, in the order they were given, never on Swift's
/// cooperative pool. One long-lived thread rather than a thread per call,
/// because a benchmark hands it a job per chunk. ``stop()`` ends it.
final class IOThread: @unchecked Sendable {
    // `jobs` and `stopping` are guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    /// Starts a thread named `name` (Linux keeps 15 bytes of it).
    init(name: String) {
        let thread = Thread { [self] in
            Thread.current.name = String(decoding: name.utf8.prefix(15), as: UTF8.self)
            serve()
        }
        thread.start()
    }

    /// Runs `body` on the thread and returns its result.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = condition.withLock {
                guard !stopping else { return false }
                jobs.append { continuation.resume(with: Swift.Result { try body() }) }
                condition.signal()
                return true
            }
            if !accepted { continuation.resume(throwing: BenchFailure("the I/O thread was stopped")) }
        }
    }

    /// Lets the jobs given so far finish, then ends the thread.
    func stop() {
        condition.withLock {
            stopping = true
            condition.signal()
        }
    }

    private func serve() {
        while true {
            let job: (@Sendable () -> Void)? = condition.withLock {
                while jobs.isEmpty && !stopping { condition.wait() }
                return jobs.isEmpty ? nil : jobs.removeFirst()
            }
            guard let job else { return }
            job()
        }
    }
}
