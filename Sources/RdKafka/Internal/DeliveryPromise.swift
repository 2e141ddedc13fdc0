import NIOConcurrencyHelpers

/// The outcome of one produced message: completed on librdkafka's poll
/// thread, awaited by the task that sent it. Either side may come first.
final class DeliveryPromise: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<KafkaDeliveryReport, any Error>)
        case done(Result<KafkaDeliveryReport, KafkaClientError>)
    }

    private let state = NIOLockedValueBox(State.pending)

    /// Records the outcome and wakes the waiting task, if any.
    func complete(_ result: Result<KafkaDeliveryReport, KafkaClientError>) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<KafkaDeliveryReport, any Error>? in
            defer { state = .done(result) }
            if case .waiting(let continuation) = state { return continuation }
            return nil
        }
        waiter?.resume(with: result.mapError { $0 as any Error })
    }

    /// The failure, if the outcome is in and is one.
    var failure: KafkaClientError? {
        state.withLockedValue { state in
            guard case .done(.failure(let error)) = state else { return nil }
            return error
        }
    }

    /// Waits for the outcome.
    func value() async throws -> KafkaDeliveryReport {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLockedValue { state -> Result<KafkaDeliveryReport, KafkaClientError>? in
                if case .done(let result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let result { continuation.resume(with: result.mapError { $0 as any Error }) }
        }
    }
}
