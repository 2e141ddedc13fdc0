import NIOConcurrencyHelpers

/// A generation counter that tasks can wait on: `wait(after:)` returns once
/// the generation differs from the one the caller saw. The producer uses it
/// to wait for a delivery report when librdkafka's queue is full.
final class ChangeSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = NIOLockedValueBox(State())

    /// The current generation.
    var generation: UInt64 { state.withLockedValue { $0.generation } }

    /// Advances the generation and wakes every waiter.
    func signal() {
        let waiters = state.withLockedValue { state in
            state.generation &+= 1
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the generation is no longer `seen`.
    func wait(after seen: UInt64) async {
        await withCheckedContinuation { continuation in
            let changed = state.withLockedValue { state in
                if state.generation != seen { return true }
                state.waiters.append(continuation)
                return false
            }
            if changed { continuation.resume() }
        }
    }
}
