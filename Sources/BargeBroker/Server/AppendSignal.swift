import NIOConcurrencyHelpers

/// Wakes long-polling fetches when records are appended anywhere.
///
/// A fetch reads `generation` before it looks at the logs, then waits with
/// `wait(after:timeout:)`, which returns at once if an append happened in
/// between, so no append is missed.
final class AppendSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Waiters given an id that have not stored their continuation yet.
        var unregistered: Set<UInt64> = []
        /// Of those, the ones cancelled in the meantime.
        var cancelled: Set<UInt64> = []
    }

    private let state = NIOLockedValueBox(State())

    /// Counts appends; changes on every `notify()`.
    var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// Waits in progress that an append would wake now.
    var waiterCount: Int { state.withLockedValue { $0.waiters.count } }

    /// Records an append and wakes every waiter.
    func notify() {
        let waiters = state.withLockedValue { state in
            state.generation &+= 1
            let waiters = state.waiters.values
            state.waiters.removeAll()
            return Array(waiters)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until an append after `generation`, the timeout, or cancellation.
    func wait(after generation: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForAppend(after: generation) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForAppend(after generation: UInt64) async {
        let id = state.withLockedValue { state in
            state.nextWaiter &+= 1
            state.unregistered.insert(state.nextWaiter)
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state in
                    state.unregistered.remove(id)
                    if state.generation != generation || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if state.unregistered.contains(id) { state.cancelled.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }
}
