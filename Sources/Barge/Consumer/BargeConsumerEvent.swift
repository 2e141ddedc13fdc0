/// What a ``LargeMessageConsumer`` hands the application, in record order
/// per partition.
public enum BargeConsumerEvent: Sendable {
    /// A message: verified before its payload ends.
    case message(BargeMessage)
    /// A message that will not be delivered, and why.
    case failure(BargeConsumerError)
}
