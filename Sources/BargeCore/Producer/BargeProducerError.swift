/// Why a large message could not be sent.
public struct BargeProducerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable { case tooLargeForInline, invalidArgument, unreadableFile }
        private let backing: Backing
        /// The inline policy was asked for and the payload exceeds the topic's record limit.
        public static let tooLargeForInline = Kind(backing: .tooLargeForInline)
        /// A setting or argument is out of range.
        public static let invalidArgument = Kind(backing: .invalidArgument)
        /// The file to send could not be opened or read.
        public static let unreadableFile = Kind(backing: .unreadableFile)
        public var description: String { "\(backing)" }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// What went wrong, in words.
    public let message: String

    package init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "BargeProducerError.\(kind): \(message)" }
}
