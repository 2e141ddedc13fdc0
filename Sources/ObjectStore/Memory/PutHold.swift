import NIOConcurrencyHelpers

extension MemoryObjectStore {
    /// Makes the next `put` stop after reading its whole body, before the object becomes
    /// visible, until the test calls `release()` on the returned hold.
    ///
    /// A held put that is cancelled throws `CancellationError` and stores nothing.
    public func holdNextPut() -> PutHold {
        let hold = PutHold()
        state.withLockedValue { $0.holds.append(hold) }
        return hold
    }

    /// A `put` stopped on its way, released by the test (see `holdNextPut()`).
    public final class PutHold: Sendable {
        private struct State {
            var arrived = false
            var released = false
            var cancelled = false
            var arrivalWaiters: [CheckedContinuation<Void, Never>] = []
            var heldPut: CheckedContinuation<Void, any Error>?
        }

        private let state = NIOLockedValueBox(State())

        init() {}

        /// Returns once the put has reached the hold.
        public func waitUntilHeld() async {
            await withCheckedContinuation { continuation in
                let arrived = state.withLockedValue { state in
                    if !state.arrived { state.arrivalWaiters.append(continuation) }
                    return state.arrived
                }
                if arrived { continuation.resume() }
            }
        }

        /// Lets the put go on (or pass straight through, when it has not arrived yet).
        public func release() {
            let heldPut = state.withLockedValue { state in
                state.released = true
                defer { state.heldPut = nil }
                return state.heldPut
            }
            heldPut?.resume()
        }

        /// Called by the put: waits until released, or throws `CancellationError` when the
        /// put's task is cancelled first.
        func wait() async throws {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let (waiters, outcome) = state.withLockedValue { state -> ([CheckedContinuation<Void, Never>], Result<Void, any Error>?) in
                        state.arrived = true
                        defer { state.arrivalWaiters = [] }
                        if state.cancelled { return (state.arrivalWaiters, .failure(CancellationError())) }
                        if state.released { return (state.arrivalWaiters, .success(())) }
                        state.heldPut = continuation
                        return (state.arrivalWaiters, nil)
                    }
                    waiters.forEach { $0.resume() }
                    if let outcome { continuation.resume(with: outcome) }
                }
            } onCancel: {
                let heldPut = state.withLockedValue { state in
                    state.cancelled = true
                    defer { state.heldPut = nil }
                    return state.heldPut
                }
                heldPut?.resume(throwing: CancellationError())
            }
        }
    }
}
