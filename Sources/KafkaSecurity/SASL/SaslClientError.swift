/// Why a client ended a SCRAM exchange: the server's messages were malformed,
/// did not prove that it knows the credential, or reported an error.
///
/// Compare kinds with the static members (`error.kind == .serverError`);
/// `message` says what was wrong, with Kafka's client wording where it has one.
public struct SaslClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem ended the exchange.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case malformedMessage, unsupportedFeature, nonceMismatch, iterationCount
            case serverError, invalidServerSignature, outOfOrder
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// A server message does not parse: not UTF-8, too long, an attribute
        /// missing or malformed, bad base64.
        public static let malformedMessage = Kind(.malformedMessage)
        /// The server sent the reserved mandatory extension `m=`.
        public static let unsupportedFeature = Kind(.unsupportedFeature)
        /// The server's nonce does not extend the client's.
        public static let nonceMismatch = Kind(.nonceMismatch)
        /// The server asks for too few iterations (weak) or too many (it could stall the client).
        public static let iterationCount = Kind(.iterationCount)
        /// The server's final message is `e=`: `serverError` holds its text.
        public static let serverError = Kind(.serverError)
        /// The server's signature is wrong: it does not know the credential.
        public static let invalidServerSignature = Kind(.invalidServerSignature)
        /// A method was called out of order: `finalMessage(serverFirst:)` twice,
        /// or `verify(serverFinal:)` before it.
        public static let outOfOrder = Kind(.outOfOrder)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem ended the exchange.
    public let kind: Kind
    /// A sentence saying what was wrong.
    public let message: String
    /// For `serverError`, the server's `e=` text.
    public let serverError: String?

    init(_ kind: Kind, _ message: String, serverError: String? = nil) {
        self.kind = kind
        self.message = message
        self.serverError = serverError
    }

    public var description: String { "SaslClientError(\(kind)): \(message)" }
}
