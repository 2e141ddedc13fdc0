import Foundation

/// Thrown by `waitUntil` when its condition did not come true in time.
struct ConditionTimeout: Error, CustomStringConvertible {
    let condition: String
    let timeout: Duration
    var description: String { "not true within \(timeout): \(condition)" }
}

/// Waits until `condition` holds, checking it every 20 ms (an error thrown by the check
/// counts as not yet); throws `ConditionTimeout` after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !((try? await condition()) ?? false) {
        guard ContinuousClock.now < deadline else { throw ConditionTimeout(condition: what, timeout: timeout) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A gate that tasks wait at until the test opens it, for good: it orders a step of one
/// task after an event the test observed, without guessing how long that takes.
final class Latch: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [UUID: CheckedContinuation<Void, any Error>] = [:]

    /// Lets every waiting and later `wait()` through.
    func open() {
        let waiting = lock.withLock {
            isOpen = true
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for waiter in waiting { waiter.resume() }
    }

    /// Returns once the latch is open; throws `CancellationError` if the task is cancelled first.
    func wait() async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = lock.withLock {
                    if isOpen { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    waiters[id] = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            let waiter = lock.withLock { waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }
}
