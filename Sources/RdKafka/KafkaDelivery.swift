/// A message handed to librdkafka whose delivery report may still be coming.
public struct KafkaDelivery: Sendable {
    let promise: DeliveryPromise

    /// Waits for the report: where the message was stored, or why it failed.
    public func report() async throws -> KafkaDeliveryReport {
        try await promise.value()
    }

    /// Why the message failed, if its report is in and says so (without waiting).
    public var failure: KafkaClientError? { promise.failure }
}
