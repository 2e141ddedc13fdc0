/// Why a bridge stopped.
public struct BargeBridgeError: Error, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: String, Sendable {
        /// The settings or the topics cannot work (too few target partitions, a missing store).
        case invalidConfiguration
        /// A message is larger than a record of the target topic (``BridgeTooLargePolicy/stop``).
        case messageTooLarge
        /// A rebalance took the partition of the message in hand: its
        /// transaction was aborted, and the worker starts again from the
        /// committed offsets (it does not stop the bridge).
        case rebalanced
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// A sentence for people.
    public let message: String

    /// A failure of `kind`.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "bridge: \(message)" }
}
