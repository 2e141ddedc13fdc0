import Crypto
import Foundation

/// Signs HTTP requests with AWS Signature Version 4, in an `Authorization` header or as a
/// presigned URL's query.
///
/// S3 differs from other services in two ways, both decided here: for `service == "s3"` the
/// path is signed exactly as sent (other services percent-encode it once more) and `sign`
/// adds `x-amz-content-sha256`. Paths are also normalised (`.`, `..` and `//` resolved)
/// when `normalizesPath` is set, which S3 callers must turn off.
public struct SigV4Signer: Sendable {
    /// The keys that sign.
    public let credentials: AWSCredentials
    /// The region in the credential scope, such as `us-east-1`.
    public let region: String
    /// The service in the credential scope, such as `s3`.
    public let service: String
    /// Whether the signed path has its dot segments and repeated slashes resolved.
    public let normalizesPath: Bool

    static let algorithm = "AWS4-HMAC-SHA256"

    /// A signer for `service` in `region`. S3 callers pass `service: "s3", normalizesPath: false`.
    public init(credentials: AWSCredentials, region: String, service: String, normalizesPath: Bool = true) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath
    }

    /// Signs `request` in place: sets `x-amz-date`, `x-amz-security-token` (with a session
    /// token), `x-amz-content-sha256` (for S3) and `Authorization`, replacing earlier values
    /// of them, so a request can be signed again to retry it.
    ///
    /// - Parameters:
    ///   - payloadHash: the body's hex SHA-256 (`payloadHash(of:)`, `emptyPayloadHash`) or
    ///     `unsignedPayload`.
    ///   - date: the signing time; AWS refuses requests more than 15 minutes off its clock.
    public func sign(_ request: inout SigV4Request, payloadHash: String, date: Date) {
        request = headerSigningRequest(request, payloadHash: payloadHash, date: date)
        let canonical = canonicalRequest(request, payloadHash: payloadHash)
        let signature = self.signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        let credential = "\(credentials.accessKeyID)/\(scope(date: date))"
        let signedHeaders = canonicalHeaders(request.headers).signedHeaders
        request.headers.append(
            (name: "Authorization",
             value: "\(Self.algorithm) Credential=\(credential), SignedHeaders=\(signedHeaders), Signature=\(signature)")
        )
    }

    /// The query parameters that make `request` a presigned URL valid for `expires` seconds
    /// from `date` (S3 accepts 1 to 604,800): `X-Amz-Algorithm`, `X-Amz-Credential`,
    /// `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`, `X-Amz-Security-Token` (with a
    /// session token) and `X-Amz-Signature`. Append them to `request.query` and send
    /// `encodedQuery`. The signed headers are the request's own (at least `host`).
    ///
    /// - Parameter payloadHash: `unsignedPayload` for S3, which is the default; other
    ///   services sign the body's hash.
    public func presignedQuery(
        for request: SigV4Request, expires: Int, date: Date, payloadHash: String = SigV4Signer.unsignedPayload
    ) -> [(name: String, value: String)] {
        let items = presigningItems(for: request, expires: expires, date: date)
        var prepared = request
        prepared.query += items
        let canonical = canonicalRequest(prepared, payloadHash: payloadHash)
        let signature = self.signature(stringToSign: stringToSign(canonicalRequest: canonical, date: date), date: date)
        return items + [(name: "X-Amz-Signature", value: signature)]
    }

    // MARK: - Steps, internal so tests can check each one

    /// `request` with the headers `sign` adds (all but `Authorization`), earlier copies removed.
    func headerSigningRequest(_ request: SigV4Request, payloadHash: String, date: Date) -> SigV4Request {
        var added = [(name: "X-Amz-Date", value: SigV4Timestamp(date).dateTime)]
        if let token = credentials.sessionToken { added.append((name: "X-Amz-Security-Token", value: token)) }
        if service == "s3" { added.append((name: "X-Amz-Content-SHA256", value: payloadHash)) }
        var prepared = request
        for name in ["Authorization"] + added.map({ $0.name }) { prepared.removeHeaders(named: name) }
        prepared.headers += added
        return prepared
    }

    /// The presigning query parameters of `request`, without `X-Amz-Signature`.
    func presigningItems(for request: SigV4Request, expires: Int, date: Date) -> [(name: String, value: String)] {
        var items = [
            (name: "X-Amz-Algorithm", value: Self.algorithm),
            (name: "X-Amz-Credential", value: "\(credentials.accessKeyID)/\(scope(date: date))"),
            (name: "X-Amz-Date", value: SigV4Timestamp(date).dateTime),
            (name: "X-Amz-Expires", value: String(expires)),
            (name: "X-Amz-SignedHeaders", value: canonicalHeaders(request.headers).signedHeaders),
        ]
        if let token = credentials.sessionToken { items.append((name: "X-Amz-Security-Token", value: token)) }
        return items
    }

    /// The canonical request: method, canonical path, canonical query, canonical headers,
    /// signed header names and payload hash, one per line. Every header of `request` is signed.
    func canonicalRequest(_ request: SigV4Request, payloadHash: String) -> String {
        let headers = canonicalHeaders(request.headers)
        return [
            request.method.uppercased(),
            canonicalPath(request.path),
            AWSPercentEncoding.queryString(request.query),
            headers.block,
            headers.signedHeaders,
            payloadHash,
        ].joined(separator: "\n")
    }

    /// The string to sign: algorithm, timestamp, credential scope and the canonical request's hex SHA-256.
    func stringToSign(canonicalRequest: String, date: Date) -> String {
        [
            Self.algorithm,
            SigV4Timestamp(date).dateTime,
            scope(date: date),
            SHA256.hash(data: Array(canonicalRequest.utf8)).hexEncoded,
        ].joined(separator: "\n")
    }

    /// The hex HMAC-SHA256 of `stringToSign` under the key derived for `date`'s day, region and service.
    func signature(stringToSign: String, date: Date) -> String {
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [SigV4Timestamp(date).day, region, service, "aws4_request"] {
            key = SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key))
        }
        return HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key).hexEncoded
    }

    // MARK: - Canonical forms

    /// `day/region/service/aws4_request`.
    private func scope(date: Date) -> String {
        "\(SigV4Timestamp(date).day)/\(region)/\(service)/aws4_request"
    }

    /// S3 signs the path as sent; other services sign it percent-encoded once more, after
    /// normalising it when `normalizesPath` is set.
    private func canonicalPath(_ path: String) -> String {
        if service == "s3" { return path.isEmpty ? "/" : path }
        let resolved = normalizesPath ? AWSPercentEncoding.normalizedPath(path) : (path.isEmpty ? "/" : path)
        return AWSPercentEncoding.path(resolved)
    }

    /// `name:value` lines (names lower-cased and sorted, values trimmed with inner runs of
    /// white space made one space, repeated headers' values joined by `,` in order), each
    /// ending in a newline, and the `;`-joined names.
    private func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (block: String, signedHeaders: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.trimmingCharacters(in: .whitespaces).lowercased()
            values[name, default: []].append(header.value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        let names = values.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }
}
