/// The host and path one S3 request goes to, built from the configuration's addressing.
struct S3Address: Sendable, Hashable {
    /// `http` or `https`.
    let scheme: String
    /// The value of the `Host` header (with the port when the endpoint has one).
    let host: String
    /// The percent-encoded path, starting with `/`.
    let path: String

    /// The full URL, with `encodedQuery` appended when it is not empty.
    func url(encodedQuery: String) -> String {
        let base = "\(scheme)://\(host)\(path)"
        return encodedQuery.isEmpty ? base : "\(base)?\(encodedQuery)"
    }
}

extension S3Configuration {
    /// Where a request about `key` in `bucket` goes; a nil `key` addresses the bucket itself.
    func address(bucket: String, key: String?) -> S3Address {
        let encodedKey = key.map { AWSPercentEncoding.path($0) } ?? ""
        switch addressing {
        case .path:
            let path = key == nil ? "/\(bucket)" : "/\(bucket)/\(encodedKey)"
            return S3Address(scheme: endpoint.scheme, host: endpoint.authority, path: path)
        case .virtualHosted:
            return S3Address(scheme: endpoint.scheme, host: "\(bucket).\(endpoint.authority)", path: "/\(encodedKey)")
        }
    }
}
