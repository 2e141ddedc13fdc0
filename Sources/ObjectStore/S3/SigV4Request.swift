/// An HTTP request as AWS Signature Version 4 sees it: method, path, query and headers.
///
/// The body is not part of it: the signer takes the body's SHA-256 (or `UNSIGNED-PAYLOAD`)
/// as `payloadHash` instead, so bodies can stream.
public struct SigV4Request: Sendable {
    /// The HTTP method, such as `GET` or `PUT`.
    public var method: String
    /// The URI path exactly as it will be sent, already percent-encoded (`/bucket/my%20key`);
    /// `AWSPercentEncoding.path(_:)` encodes an S3 key the way S3 expects.
    public var path: String
    /// The query parameters, not encoded: the signer encodes them with AWS's rules, and
    /// `encodedQuery` is the matching text to send.
    public var query: [(name: String, value: String)]
    /// The headers to sign, names in any case. They must include `host`, and should hold
    /// only headers sent unchanged (not `user-agent`, `expect` or `transfer-encoding`,
    /// which HTTP clients and proxies may rewrite).
    public var headers: [(name: String, value: String)]

    /// A request to sign.
    public init(
        method: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
    }

    /// The query string to send (without `?`): every parameter encoded and sorted exactly
    /// as it is signed. Empty when there are no parameters.
    public var encodedQuery: String { AWSPercentEncoding.queryString(query) }

    /// The values of the header called `name` (any case), in order.
    public func values(ofHeader name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map { $0.value }
    }

    /// Removes every header called `name` (any case).
    mutating func removeHeaders(named name: String) {
        let unwanted = name.lowercased()
        headers.removeAll { $0.name.lowercased() == unwanted }
    }
}
