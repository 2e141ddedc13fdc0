import KafkaValues

/// A claim check whose object is stored and whose reference record is not
/// produced yet (``LargeMessageProducer/storeClaimCheck(_:topic:key:headers:description:placement:)``):
/// for a caller that stores several objects at once and produces their
/// references in order, as the bridge does.
public struct PreparedClaimCheck: Sendable {
    let send: ClaimCheckSend
    let stored: ClaimCheckSend.Stored

    /// The message's id.
    public var id: BargeMessageID { send.id }
    /// The payload's size.
    public var size: Int64 { stored.size }
}

extension LargeMessageProducer {
    /// Streams `payload` into the object store as a claim check's object,
    /// without producing its reference; ``sendReference(of:)`` does that.
    /// Throws as ``send(_:topic:key:headers:description:placement:)`` does.
    public func storeClaimCheck(
        _ payload: [UInt8], topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription(), placement: BargePlacement = BargePlacement()
    ) async throws -> PreparedClaimCheck {
        try await storeClaimCheck(
            AsyncChunks(payload: payload, chunkSize: policy(for: topic).chunkSize), size: Int64(payload.count), topic: topic, key: key,
            headers: headers, description: description, placement: placement
        )
    }

    /// ``storeClaimCheck(_:topic:key:headers:description:placement:)`` for a
    /// payload of `size` bytes that arrives as `pieces`, streamed as they come.
    public func storeClaimCheck<Pieces: AsyncSequence & Sendable>(
        _ pieces: Pieces, size: Int64, topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription(), placement: BargePlacement = BargePlacement()
    ) async throws -> PreparedClaimCheck where Pieces.Element == [UInt8] {
        let send = try claimCheck(
            topic: topic, key: key, placement: placement, facts: try await facts(of: topic), knownSize: size,
            headers: headers, description: description
        )
        return PreparedClaimCheck(send: send, stored: try await send.store(pieces))
    }

    /// Produces the reference record of `prepared` and waits for it to be
    /// stored; if that fails the object is deleted (unless its placement is stable).
    public func sendReference(of prepared: PreparedClaimCheck) async throws -> BargeReceipt {
        try await prepared.send.sendReference(prepared.stored)
    }
}
