import Barge

/// How ``BridgeMode/internalize(_:)`` turns Barge messages back into plain
/// records.
public struct BridgeInternalizeOptions: Sendable {
    /// How messages are read: object stores, keys, memory budget, bad
    /// records (the bridge counts a message as handled only once its record
    /// is written, and commits offsets itself).
    public var consumer = LargeMessageConsumerOptions()
    /// What becomes of a message larger than one record of the target topic.
    public var tooLarge: BridgeTooLargePolicy = .stop

    /// Options with a consumer's defaults and ``BridgeTooLargePolicy/stop``.
    public init() {}
}

/// What the internalizing bridge does with a message that does not fit one
/// record of the target topic (its `max.message.bytes`).
public enum BridgeTooLargePolicy: Hashable, Sendable {
    /// Logs it (id, size, source offsets) and goes on.
    case skip
    /// Stops the bridge with ``BargeBridgeError/Kind/messageTooLarge`` before
    /// the message's offsets are committed: it comes again after a restart.
    case stop
    /// Writes a record without the payload to `topic`, with headers naming
    /// the message, its size and source, and goes on.
    case deadLetter(topic: String)
}
