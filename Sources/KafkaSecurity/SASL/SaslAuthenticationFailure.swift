/// Why a SASL login failed.
///
/// `clientMessage` is what the broker may send the client in SaslAuthenticate's
/// `error_message` with SASL_AUTHENTICATION_FAILED (58): it uses Kafka's wording
/// and never says whether the user exists. `description` is for the broker's
/// log and names the user and what was wrong. Compare kinds with the static
/// members (`failure.kind == .unknownUser`).
public struct SaslAuthenticationFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem ended the login.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case malformedMessage, unsupportedFeature, authorizationIdMismatch, nonceMismatch
            case channelBindingMismatch, invalidCredentials, unknownUser, unexpectedMessage
        }
        private let backing: Backing
        private init(_ backing: Backing) { self.backing = backing }

        /// The message does not parse: not UTF-8, too long, an attribute missing,
        /// out of order or malformed, bad base64, an empty PLAIN user name or password.
        public static let malformedMessage = Kind(.malformedMessage)
        /// The client asked for something the broker does not do: channel binding
        /// (`p=`), a mandatory extension (`m=`), or delegation-token
        /// authentication (`tokenauth=true`).
        public static let unsupportedFeature = Kind(.unsupportedFeature)
        /// The client asked to act as an authorization identity other than its user name.
        public static let authorizationIdMismatch = Kind(.authorizationIdMismatch)
        /// The client's final message does not carry the nonce of this exchange.
        public static let nonceMismatch = Kind(.nonceMismatch)
        /// The client's final message does not repeat its GS2 header in `c=`.
        public static let channelBindingMismatch = Kind(.channelBindingMismatch)
        /// The user exists but the proof (SCRAM) or password (PLAIN) is wrong;
        /// for PLAIN, also an unknown user.
        public static let invalidCredentials = Kind(.invalidCredentials)
        /// SCRAM: the user has no usable credential for the mechanism. The client
        /// got as far, and is told the same, as with a wrong password.
        public static let unknownUser = Kind(.unknownUser)
        /// A message came after the exchange had ended.
        public static let unexpectedMessage = Kind(.unexpectedMessage)

        public var description: String { "\(backing)" }
    }

    /// What kind of problem ended the login.
    public var kind: Kind
    /// What the client may be told. It never says whether the user exists.
    public var clientMessage: String
    /// What went wrong, for the broker's log.
    public var description: String

    init(_ kind: Kind, clientMessage: String, description: String) {
        self.kind = kind
        self.clientMessage = clientMessage
        self.description = description
    }

    /// A SCRAM failure: the client is told only Kafka's generic sentence.
    static func scram(_ kind: Kind, _ mechanism: ScramMechanism, _ description: String) -> Self {
        Self(
            kind,
            clientMessage: "Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanism.name)",
            description: "\(mechanism.name): \(description)"
        )
    }

    /// Kafka's answer when the authorization identity is not the user name.
    static func authorizationIdMismatch(_ mechanism: String, authorizationId: String, username: String) -> Self {
        Self(
            .authorizationIdMismatch,
            clientMessage: "Authentication failed: Client requested an authorization id that is different from username",
            description: "\(mechanism): authorization id \(authorizationId.debugDescription) is not the user name \(username.debugDescription)"
        )
    }
}
