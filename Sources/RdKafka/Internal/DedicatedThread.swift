import Foundation
import NIOConcurrencyHelpers

/// Runs blocking librdkafka calls on threads of their own, never on Swift's
/// cooperative thread pool.
enum DedicatedThread {
    /// Runs `body` on a new thread and returns its result.
    static func run<Result: Sendable>(
        name: String,
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                nameCurrentThread(name)
                continuation.resume(with: Swift.Result { try body() })
            }
            thread.start()
        }
    }
}

/// A thread that calls `body` until asked to stop, such as a poll loop.
final class LoopingThread: Sendable {
    private let stopRequested = NIOLockedValueBox(false)
    private let finished: NIOLockedValueBox<(done: Bool, waiters: [CheckedContinuation<Void, Never>])> =
        NIOLockedValueBox((false, []))

    /// Starts a thread named `name` that runs `iteration` until ``stop()``,
    /// then `finally` once.
    init(name: String, iteration: @escaping @Sendable () -> Void, finally: @escaping @Sendable () -> Void = {}) {
        let thread = Thread { [stopRequested, finished] in
            nameCurrentThread(name)
            while !stopRequested.withLockedValue({ $0 }) { iteration() }
            finally()
            let waiters = finished.withLockedValue { state in
                state.done = true
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.start()
    }

    /// Whether ``stop()`` was called.
    var isStopping: Bool { stopRequested.withLockedValue { $0 } }

    /// Asks the loop to stop after its current iteration, without waiting.
    func requestStop() {
        stopRequested.withLockedValue { $0 = true }
    }

    /// Asks the loop to stop after its current iteration and waits for `finally` to return.
    func stop() async {
        requestStop()
        await waitUntilStopped()
    }

    /// Waits until the loop has stopped and `finally` returned.
    func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let done = finished.withLockedValue { state in
                if !state.done { state.waiters.append(continuation) }
                return state.done
            }
            if done { continuation.resume() }
        }
    }
}

/// Names the calling thread for debuggers, `perf` and `top -H` (Linux keeps 15
/// bytes); Foundation passes the name to the system only from the thread itself.
func nameCurrentThread(_ name: String) {
    Thread.current.name = String(decoding: name.utf8.prefix(15), as: UTF8.self)
}
