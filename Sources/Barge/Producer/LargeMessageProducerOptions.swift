import ObjectStore

/// What a ``LargeMessageProducer`` does with payloads, whatever its
/// transport: size policy, compression, claim-check store, encryption and
/// a progress hook.
public struct LargeMessageProducerOptions: Sendable {
    /// Inline, chunked, claim check, or auto (the default).
    public var policy: LargeMessagePolicy = .auto()
    /// Policies of particular topics, overriding ``policy``.
    public var topicPolicies: [String: LargeMessagePolicy] = [:]
    /// How each record's value is compressed; skipped for a payload whose
    /// start does not compress. Default: none. Claim-check objects are
    /// stored uncompressed (docs/wire-format.md).
    public var compression: BargeCompression = .none
    /// Where claim-check payloads go; required when a policy may send claim checks.
    public var objectStore: (any ObjectStore)?
    /// When set, claim-check objects are encrypted with a fresh data key
    /// wrapped by the keyring's current key.
    public var encryption: BargeKeyring?
    /// Called as each message is read and acknowledged (from the sending
    /// task, or the object store's for a claim check); keep it short.
    /// Default: none.
    public var progress: (@Sendable (BargeSendProgress) -> Void)?

    /// The defaults: the auto policy, no compression, no store, no encryption.
    public init() {}
}
