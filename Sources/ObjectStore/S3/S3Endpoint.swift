/// Where an S3-compatible service listens: a scheme, a host and an optional port.
///
/// Made from a URL such as `https://s3.eu-west-1.amazonaws.com` or `http://127.0.0.1:8333`;
/// the URL has no user, path, query or fragment.
public struct S3Endpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public let scheme: String
    /// The host name or address, without port (IPv6 addresses keep their brackets).
    public let host: String
    /// The port, when the URL named one.
    public let port: Int?

    /// Parses `url`.
    ///
    /// - Throws: `ObjectStoreError` `.configuration` naming what is wrong with the URL.
    public init(_ url: String) throws(ObjectStoreError) {
        func invalid(_ problem: String) -> ObjectStoreError {
            ObjectStoreError(.configuration, "S3 endpoint '\(url)': \(problem)")
        }
        let scheme: String
        let rest: Substring
        if url.hasPrefix("https://") {
            scheme = "https"
            rest = url.dropFirst("https://".count)
        } else if url.hasPrefix("http://") {
            scheme = "http"
            rest = url.dropFirst("http://".count)
        } else {
            throw invalid("the scheme must be http:// or https://")
        }
        var authority = rest
        if authority.hasSuffix("/") { authority = authority.dropLast() }
        if authority.isEmpty { throw invalid("the host is missing") }
        if authority.contains(where: { "/?#@ ".contains($0) }) {
            throw invalid("only scheme, host and port are allowed (no user, path, query or fragment)")
        }
        var host = authority
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw invalid("the port must be a number from 1 to 65535")
            }
            host = authority[..<colon]
            port = number
        }
        if host.isEmpty { throw invalid("the host is missing") }
        self.scheme = scheme
        self.host = String(host)
        self.port = port
    }

    /// AWS's regional endpoint, `https://s3.<region>.amazonaws.com`.
    public static func aws(region: String) -> S3Endpoint {
        S3Endpoint(scheme: "https", host: "s3.\(region).amazonaws.com", port: nil)
    }

    private init(scheme: String, host: String, port: Int?) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// `host` and `:port` when a port was given: the value of the `Host` header.
    public var authority: String {
        if let port { return "\(host):\(port)" }
        return host
    }

    /// The endpoint as a URL.
    public var description: String { "\(scheme)://\(authority)" }
}
