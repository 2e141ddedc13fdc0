/// How far the sending of one message has come, as
/// ``LargeMessageProducerOptions/progress`` reports it: both counts only grow,
/// and end at the payload's size once the message is sent.
public struct BargeSendProgress: Hashable, Sendable {
    /// The message.
    public var id: BargeMessageID
    /// The topic it goes to.
    public var topic: String
    /// The payload's size, when known before it is read.
    public var size: Int64?
    /// Payload bytes read from the source so far.
    public var bytesRead: Int64 = 0
    /// Payload bytes whose records Kafka acknowledged (for a claim check:
    /// all of them once the object is stored and its reference acknowledged).
    public var bytesAcknowledged: Int64 = 0
}

/// Counts one message's progress and hands each change to the options' hook.
struct SendProgressReporter: Sendable {
    private let hook: (@Sendable (BargeSendProgress) -> Void)?
    private var progress: BargeSendProgress

    init(id: BargeMessageID, topic: String, size: Int64?, hook: (@Sendable (BargeSendProgress) -> Void)?) {
        self.hook = hook
        progress = BargeSendProgress(id: id, topic: topic, size: size)
    }

    /// `count` more payload bytes were read.
    mutating func read(_ count: Int) {
        guard let hook else { return }
        progress.bytesRead += Int64(count)
        hook(progress)
    }

    /// `count` more payload bytes were acknowledged.
    mutating func acknowledged(_ count: Int) {
        guard let hook else { return }
        progress.bytesAcknowledged += Int64(count)
        hook(progress)
    }
}
