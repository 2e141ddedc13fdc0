import KafkaValues

/// What ``ReassemblyState`` asks its I/O layer to do, in order.
package enum ReassemblyAction: Sendable {
    /// Make storage for a chunked message's payload; `info` is what its
    /// first chunk says about it.
    case open(token: Int, info: BargeMessageInfo)
    /// Append payload bytes to the message's storage.
    case append(token: Int, bytes: [UInt8])
    /// Queue a message event for the application: a plain or inline record
    /// with its whole payload, or a chunked message whose payload is in
    /// storage (all of it, or, when delivered progressively, what came so far).
    case deliver(token: Int, info: BargeMessageInfo, payload: [UInt8]?)
    /// Queue a claim check for the application: its payload is read from
    /// the object store the reference names. `record` is the reference
    /// record (for a dead-letter copy should it prove bad).
    case deliverReference(token: Int, info: BargeMessageInfo, reference: BargeReferenceHeader, record: KafkaConsumerMessage)
    /// Queue a foreign format's reference for the application (see
    /// ``InteropRecord``): its payload is read, and decompressed, from the
    /// object store holding `object`. `record` is the reference record.
    case deliverObject(token: Int, info: BargeMessageInfo, object: InteropObject, record: KafkaConsumerMessage)
    /// The chunked message's payload is complete and verified; `info` has
    /// its size and digest.
    case seal(token: Int, info: BargeMessageInfo)
    /// The message failed: drop its storage, end a progressive reader with
    /// `error`, and, when `notify`, queue a failure event. `record` is the
    /// record that made it fail, when one did (for a dead-letter copy).
    case fail(token: Int, error: BargeConsumerError, notify: Bool, record: KafkaConsumerMessage?)
    /// Forget the message silently (its partition was revoked): drop its
    /// storage and queued events; a progressive reader gets `revoked`.
    case discard(token: Int, error: BargeConsumerError)
}
