import Foundation
import NIOCore
import Testing
@testable import ObjectStore

@Suite("SigV4Signer")
struct SigV4SignerTests {
    // MARK: - AWS's test suite

    @Test("AWS's SigV4 test suite is present beside the repository")
    func suiteIsPresent() {
        #expect(
            !SigV4TestSuiteCase.names.isEmpty,
            "AWS's SigV4 test suite was not found at \(SigV4TestSuiteCase.suiteDirectory.path), so its cases did not run"
        )
    }

    @Test("AWS suite: header signing", arguments: SigV4TestSuiteCase.names)
    func suiteHeaderSigning(name: String) throws {
        let suiteCase = try SigV4TestSuiteCase(name: name)
        let signer = Self.signer(for: suiteCase)
        let payloadHash = SigV4Signer.payloadHash(of: suiteCase.body)
        var request = suiteCase.request
        if suiteCase.context.signBody {
            // aws-c-auth's sign_body adds x-amz-content-sha256; ours adds it for S3 only, so the caller does.
            request.headers.append((name: "X-Amz-Content-SHA256", value: payloadHash))
        }

        let prepared = signer.headerSigningRequest(request, payloadHash: payloadHash, date: suiteCase.date)
        let canonical = signer.canonicalRequest(prepared, payloadHash: payloadHash)
        #expect(canonical == (try suiteCase.expected("header-canonical-request.txt")))
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: suiteCase.date)
        #expect(stringToSign == (try suiteCase.expected("header-string-to-sign.txt")))
        let signature = signer.signature(stringToSign: stringToSign, date: suiteCase.date)
        #expect(signature == (try suiteCase.expected("header-signature.txt")))

        signer.sign(&request, payloadHash: payloadHash, date: suiteCase.date)
        let signedRequest = try #require(try suiteCase.expected("header-signed-request.txt"))
        let expectedAuthorization = signedRequest.split(separator: "\n")
            .first { $0.hasPrefix("Authorization:") }
            .map { String($0.dropFirst("Authorization:".count)) }
        let authorization = try #require(expectedAuthorization)
        #expect(request.values(ofHeader: "authorization") == [authorization])
    }

    @Test("AWS suite: query (presigned URL) signing", arguments: SigV4TestSuiteCase.names)
    func suiteQuerySigning(name: String) throws {
        let suiteCase = try SigV4TestSuiteCase(name: name)
        guard let expectedCanonical = try suiteCase.expected("query-canonical-request.txt") else { return }
        let signer = Self.signer(for: suiteCase)
        let payloadHash = SigV4Signer.payloadHash(of: suiteCase.body)
        let expires = suiteCase.context.expirationInSeconds

        var prepared = suiteCase.request
        prepared.query += signer.presigningItems(for: suiteCase.request, expires: expires, date: suiteCase.date)
        let canonical = signer.canonicalRequest(prepared, payloadHash: payloadHash)
        #expect(canonical == expectedCanonical)
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: suiteCase.date)
        #expect(stringToSign == (try suiteCase.expected("query-string-to-sign.txt")))
        let signature = signer.signature(stringToSign: stringToSign, date: suiteCase.date)
        #expect(signature == (try suiteCase.expected("query-signature.txt")))

        let query = signer.presignedQuery(for: suiteCase.request, expires: expires, date: suiteCase.date, payloadHash: payloadHash)
        #expect(query.last?.name == "X-Amz-Signature")
        #expect(query.last?.value == signature)
    }

    /// The case's signer. With `omit_session_token` aws-c-auth adds the token after signing,
    /// outside the signature, which is then that of token-less credentials; our signer has no
    /// such mode (S3 always signs the token), so the case is signed without the token.
    private static func signer(for suiteCase: SigV4TestSuiteCase) -> SigV4Signer {
        let context = suiteCase.context
        let token = context.omitSessionToken == true ? nil : context.credentials.token
        return SigV4Signer(
            credentials: AWSCredentials(
                accessKeyID: context.credentials.accessKeyId,
                secretAccessKey: context.credentials.secretAccessKey,
                sessionToken: token
            ),
            region: context.region,
            service: context.service,
            normalizesPath: context.normalize
        )
    }

    // MARK: - S3 examples from AWS's documentation (sig-v4-header-based-auth, sigv4-query-string-auth)

    static let exampleSigner = SigV4Signer(
        credentials: AWSCredentials(
            accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1", service: "s3", normalizesPath: false
    )
    static let exampleDate = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

    @Test("S3 documentation: GET object with a range")
    func s3GetObjectExample() {
        var request = SigV4Request(
            method: "GET", path: "/test.txt",
            headers: [(name: "Host", value: "examplebucket.s3.amazonaws.com"), (name: "Range", value: "bytes=0-9")]
        )
        Self.exampleSigner.sign(&request, payloadHash: SigV4Signer.emptyPayloadHash, date: Self.exampleDate)
        #expect(request.values(ofHeader: "x-amz-date") == ["20130524T000000Z"])
        #expect(request.values(ofHeader: "x-amz-content-sha256") == [SigV4Signer.emptyPayloadHash])
        #expect(request.values(ofHeader: "authorization") == [
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
        ])
    }

    @Test("S3 documentation: presigned GET")
    func s3PresignedExample() {
        let request = SigV4Request(
            method: "GET", path: "/test.txt", headers: [(name: "Host", value: "examplebucket.s3.amazonaws.com")])
        let query = Self.exampleSigner.presignedQuery(for: request, expires: 86_400, date: Self.exampleDate)
        #expect(query.map { $0.name } == [
            "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
        ])
        #expect(query.last?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    // MARK: - Pieces

    @Test("S3 signs the path as sent: no second encoding, no normalisation")
    func s3PathIsSignedAsSent() {
        let request = SigV4Request(method: "get", path: "/b/a%20b/./c//../d", headers: [(name: "Host", value: "h")])
        let canonical = Self.exampleSigner.canonicalRequest(request, payloadHash: SigV4Signer.unsignedPayload)
        #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false).prefix(2) == ["GET", "/b/a%20b/./c//../d"])
    }

    @Test("other services encode the sent path again, normalised unless told not to")
    func genericPathIsEncodedAgain() {
        let credentials = AWSCredentials(accessKeyID: "A", secretAccessKey: "S")
        let request = SigV4Request(method: "GET", path: "/a%20b/./c//../d/", headers: [(name: "Host", value: "h")])
        for (normalizes, expected) in [(true, "/a%2520b/d/"), (false, "/a%2520b/./c//../d/")] {
            let signer = SigV4Signer(credentials: credentials, region: "r", service: "execute-api", normalizesPath: normalizes)
            let canonical = signer.canonicalRequest(request, payloadHash: SigV4Signer.emptyPayloadHash)
            #expect(canonical.split(separator: "\n", omittingEmptySubsequences: false)[1] == Substring(expected))
        }
    }

    @Test("percent-encoding keeps only RFC 3986 unreserved bytes (and / in paths)")
    func percentEncoding() {
        #expect(AWSPercentEncoding.path("a b/c+d~e_f-g.h/é*") == "a%20b/c%2Bd~e_f-g.h/%C3%A9%2A")
        #expect(AWSPercentEncoding.queryComponent("a/b=c&d e+%") == "a%2Fb%3Dc%26d%20e%2B%25")
        #expect(AWSPercentEncoding.queryString([
            (name: "prefix", value: "z"), (name: "a", value: "2"), (name: "a", value: "10"), (name: "uploads", value: ""),
        ]) == "a=10&a=2&prefix=z&uploads=")
        #expect(SigV4Request(method: "GET", path: "/", query: [(name: "k", value: "v w")]).encodedQuery == "k=v%20w")
    }

    @Test("path normalisation resolves dot segments and repeated slashes", arguments: [
        ("", "/"), ("/", "/"), ("//", "/"), ("/a/./b/../c", "/a/c"), ("/a/b/../../..", "/"), ("//a//b//", "/a/b/"),
        ("/a/.", "/a"), ("/a/./", "/a/"), ("/..", "/"), ("/a%2F../b", "/a%2F../b"),  // an encoded slash separates nothing
    ])
    func normalisation(path: String, expected: String) {
        #expect(AWSPercentEncoding.normalizedPath(path) == expected)
    }

    @Test("timestamps are UTC, rounded down to the second", arguments: [
        (0.0, "19700101T000000Z"), (951_782_400, "20000229T000000Z"), (1_709_251_199.999, "20240229T235959Z"),
        (4_107_542_400, "21000301T000000Z"), (1_440_938_160, "20150830T123600Z"), (-5, "19700101T000000Z"),
    ])
    func timestamps(seconds: Double, expected: String) {
        let timestamp = SigV4Timestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.dateTime == expected)
        #expect(timestamp.day == String(expected.prefix(8)))
    }

    @Test("payload hashes of bytes and of buffers agree")
    func payloadHashes() {
        #expect(SigV4Signer.payloadHash(of: [UInt8]()) == SigV4Signer.emptyPayloadHash)
        #expect(SigV4Signer.payloadHash(of: ByteBuffer()) == SigV4Signer.emptyPayloadHash)
        var buffer = ByteBuffer(string: "skipped:Param1=value1")
        buffer.moveReaderIndex(forwardBy: 8)
        #expect(SigV4Signer.payloadHash(of: buffer) == "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
        #expect(SigV4Signer.payloadHash(of: Array("Param1=value1".utf8)) == SigV4Signer.payloadHash(of: buffer))
    }

    @Test("signing again replaces the headers the signer added")
    func resigningReplaces() {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyID: "A", secretAccessKey: "S", sessionToken: "T"),
            region: "r", service: "s3", normalizesPath: false)
        var request = SigV4Request(method: "PUT", path: "/b/k", headers: [(name: "host", value: "h")])
        signer.sign(&request, payloadHash: SigV4Signer.unsignedPayload, date: Date(timeIntervalSince1970: 0))
        var again = request
        signer.sign(&again, payloadHash: SigV4Signer.unsignedPayload, date: Date(timeIntervalSince1970: 60))
        #expect(again.headers.count == request.headers.count)
        for name in ["authorization", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256"] {
            #expect(again.values(ofHeader: name).count == 1)
        }
        #expect(again.values(ofHeader: "x-amz-date") == ["19700101T000100Z"])
    }

    @Test("credentials never print their secrets")
    func credentialsRedacted() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "very-hidden", sessionToken: "token-hidden")
        for text in [String(describing: credentials), String(reflecting: credentials)] {
            #expect(text.contains("AKID"))
            #expect(!text.contains("hidden"))
        }
    }
}
