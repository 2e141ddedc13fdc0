import KafkaValues

/// What a handed-over message reads its stored payload from and reports its
/// fate to: the consumer's reassembly engine as messages and claim-check
/// payloads see it. Owned by this lower layer, so that they do not depend
/// on the engine that makes them.
protocol PayloadOwner: Actor {
    /// The next bytes of message `token`'s payload, or its verified end.
    func nextPiece(of token: Int) async throws -> PayloadPiece
    /// Frees message `token`'s storage (read to its end, failed, or dropped).
    func release(_ token: Int)
    /// Claim check `token` is settled as handled.
    func finishReference(_ token: Int)
    /// Message `token` failed with `error` (because of `record`, when one
    /// record is to blame); `handedOver` says whether the application has it.
    func failed(_ token: Int, _ error: BargeConsumerError, record: KafkaConsumerMessage?, handedOver: Bool) async
}

/// What ``PayloadOwner/nextPiece(of:)`` returns.
enum PayloadPiece: Sendable {
    case bytes([UInt8])
    /// The payload ended, verified; the message as checked.
    case end(BargeMessageInfo)
}
