import NIOConcurrencyHelpers

/// A limit on bytes in flight, shared by many tasks: `acquire` waits (in
/// arrival order, without spinning) until the bytes fit, `release` gives
/// them back. A request larger than the limit is granted when nothing else
/// is in flight, so one oversized message cannot deadlock.
final class ByteBudget: Sendable {
    private struct Waiter {
        let id: UInt64
        let bytes: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inFlight = 0
        var nextWaiterID: UInt64 = 0
        var waiters: [Waiter] = []
    }

    /// The configured limit.
    let limit: Int
    private let state = NIOLockedValueBox(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Bytes acquired and not yet released.
    var inFlight: Int { state.withLockedValue { $0.inFlight } }

    /// Tasks waiting in `acquire` now.
    var waiterCount: Int { state.withLockedValue { $0.waiters.count } }

    /// Waits until `bytes` fit under the limit and takes them. Throws
    /// `CancellationError` if the task is cancelled while waiting.
    func acquire(_ bytes: Int) async throws {
        let id: UInt64? = state.withLockedValue { state in
            if state.waiters.isEmpty && fits(bytes, inFlight: state.inFlight) {
                state.inFlight += bytes
                return nil
            }
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let granted = state.withLockedValue { state -> Bool in
                    if Task.isCancelled { return false }
                    state.waiters.append(Waiter(id: id, bytes: bytes, continuation: continuation))
                    return true
                }
                if !granted { continuation.resume(throwing: CancellationError()) }
                else { grantWaiters() }
            }
        } onCancel: {
            let cancelled = state.withLockedValue { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
            grantWaiters()
        }
    }

    /// Gives back `bytes` and wakes the waiters that now fit.
    func release(_ bytes: Int) {
        state.withLockedValue { $0.inFlight -= bytes }
        grantWaiters()
    }

    private func fits(_ bytes: Int, inFlight: Int) -> Bool {
        inFlight == 0 || inFlight + bytes <= limit
    }

    private func grantWaiters() {
        let granted = state.withLockedValue { state -> [Waiter] in
            var granted: [Waiter] = []
            while let first = state.waiters.first, fits(first.bytes, inFlight: state.inFlight) {
                state.inFlight += first.bytes
                granted.append(state.waiters.removeFirst())
            }
            return granted
        }
        for waiter in granted { waiter.continuation.resume() }
    }
}
