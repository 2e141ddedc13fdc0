/// What a ``LargeMessageConsumer`` does with a bad record: one that can never
/// be delivered because it is malformed, forged or corrupt
/// (``BargeConsumerError/isBadRecord``). One such record must not stop every
/// reader of a topic for good, nor vanish without a trace. Failures that may
/// pass (an object store that cannot be reached, a missing decryption key)
/// are never bad records: the message stays unhandled and is read again.
public enum BadRecordPolicy: Hashable, Sendable {
    /// The default: a typed failure event (or, for a message already handed
    /// over, the error its payload throws); the message then counts as
    /// handled, so commits pass it and reading goes on.
    case report
    /// Like ``report`` without the failure event: logged, committed past.
    case skip
    /// The events sequence throws the failure (after the events before it)
    /// and the consumer commits nothing past the record: every later run
    /// stops at it too, until an operator deals with it.
    case stop
    /// Copies the record to `topic` (key, value and headers as read, plus
    /// `barge.dlq.*` headers saying where it came from and what was wrong;
    /// see docs/large-messages.md), then reports it as ``report`` does. If the
    /// copy cannot be written, the consumer stops as with ``stop``.
    case deadLetter(topic: String)
}
