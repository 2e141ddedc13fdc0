/// The keys that sign requests to AWS or an S3-compatible store.
///
/// `description` names the access key but never prints the secret or the session token,
/// so credentials can appear in logs and error messages safely.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The access key ID (`AKIA...`), sent in clear in every signature.
    public var accessKeyID: String
    /// The secret access key; it only ever keys an HMAC and is never sent.
    public var secretAccessKey: String
    /// The session token of temporary (STS) credentials, sent as `x-amz-security-token`.
    public var sessionToken: String?

    /// Credentials made of an access key, its secret and, for temporary credentials, a session token.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String {
        let token = sessionToken == nil ? "none" : "<redacted>"
        return "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <redacted>, sessionToken: \(token))"
    }

    public var debugDescription: String { description }
}
