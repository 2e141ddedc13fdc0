/// What the broker does after a client's SASL message.
public enum SaslServerStep: Sendable, Equatable {
    /// Send these bytes in SaslAuthenticate's `auth_bytes` and wait for the client's next message.
    case challenge([UInt8])
    /// The client proved who it is: send `finalMessage` (empty for PLAIN) and
    /// treat the connection as `username` (principal `User:username`).
    case authenticated(username: String, finalMessage: [UInt8])
    /// Refuse: answer SASL_AUTHENTICATION_FAILED with the failure's `clientMessage` and close.
    case failed(SaslAuthenticationFailure)
}
