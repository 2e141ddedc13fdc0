import NIOCore
import NIOHTTP1

/// One S3 request before it is signed: what to do, to which key, with which body.
struct S3Request: Sendable {
    /// The HTTP method.
    var method: HTTPMethod
    /// The full S3 key (store prefix included), or nil for a request about the bucket.
    var key: String?
    /// Query parameters, not encoded.
    var query: [(name: String, value: String)] = []
    /// Headers to send and sign, besides `host` and the signature's own.
    var headers: [(name: String, value: String)] = []
    /// The whole body, when there is one; its SHA-256 is signed.
    var body: ByteBuffer?
    /// The key as the caller named it, for error messages.
    var callerKey: String?

    /// `GET /key?uploads`-like text naming the request in logs and errors.
    var summary: String {
        let target = key.map { "/\($0)" } ?? "/"
        let names = query.map(\.name).joined(separator: "&")
        return names.isEmpty ? "S3 \(method.rawValue) \(target)" : "S3 \(method.rawValue) \(target)?\(names)"
    }
}
