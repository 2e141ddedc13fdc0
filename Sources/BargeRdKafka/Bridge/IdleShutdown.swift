import NIOConcurrencyHelpers

/// A graceful shutdown for a loop that waits for work without bound: the
/// loop stops after the work in hand, and is cancelled only while it waits,
/// never halfway through a transaction.
final class IdleShutdown: Sendable {
    private struct State {
        var requested = false
        var waiting = false
        var loop: Task<Void, any Error>?
    }

    private let state = NIOLockedValueBox(State())

    /// Whether a shutdown was asked for.
    var isRequested: Bool { state.withLockedValue { $0.requested } }

    /// Runs `loop` until it returns; a shutdown then cancels it only while
    /// it waits (between ``beginWaiting()`` and ``endWaiting()``).
    func run(_ loop: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await loop() }
        state.withLockedValue { $0.loop = task }
        try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Asks the loop to stop: at once if it is waiting, else after its work in hand.
    func request() {
        let waiting = state.withLockedValue { state -> Task<Void, any Error>? in
            state.requested = true
            return state.waiting ? state.loop : nil
        }
        waiting?.cancel()
    }

    /// The loop starts waiting for work; false if it should stop instead.
    func beginWaiting() -> Bool {
        state.withLockedValue { state in
            guard !state.requested else { return false }
            state.waiting = true
            return true
        }
    }

    /// The loop has work in hand.
    func endWaiting() {
        state.withLockedValue { $0.waiting = false }
    }
}
