@testable import ObjectStore
import Foundation
import Testing

@Suite("S3 XML")
struct S3XMLTests {
    @Test("parses a ListObjectsV2 page with entities, namespaces and a continuation token")
    func listingPage() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>b</Name><Prefix>p/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
              <IsTruncated>true</IsTruncated>
              <!-- a comment -->
              <Contents><Key>p/a&amp;b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#233;&#x263A;</Key>
                <LastModified>2024-05-06T07:08:09.500Z</LastModified><ETag>&quot;abc&quot;</ETag><Size>12</Size>
                <StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>p/z</Key><Size>0</Size><LastModified>2024-05-06T07:08:09Z</LastModified></Contents>
              <NextContinuationToken>tok/en+=</NextContinuationToken>
            </ListBucketResult>
            """
        let page = try S3ListObjectsPage(xml: Array(xml.utf8))
        #expect(page.objects.map(\.key) == ["p/a&b <c> \"d\" 'e' é☺", "p/z"])
        #expect(page.objects.map(\.size) == [12, 0])
        #expect(page.objects[0].eTag == "\"abc\"")
        #expect(page.continuationToken == "tok/en+=")
        #expect(S3Dates.iso8601(page.objects[0].lastModified) == Date(timeIntervalSince1970: 1_714_979_289.5))
    }

    @Test("the last page has no continuation token; a truncated page without one is refused")
    func truncation() throws {
        let last = try S3ListObjectsPage(xml: Array("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>".utf8))
        #expect(last.objects.isEmpty && last.continuationToken == nil)
        #expect {
            _ = try S3ListObjectsPage(xml: Array("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>".utf8))
        } throws: { ($0 as? ObjectStoreError)?.kind == .badResponse }
        #expect {
            _ = try S3ListObjectsPage(xml: Array("<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>".utf8))
        } throws: { ($0 as? ObjectStoreError)?.kind == .badResponse }
    }

    @Test("S3 error documents become typed errors with their code and message")
    func errorDocuments() {
        func error(_ status: Int, _ code: String?) -> ObjectStoreError {
            let body = code.map { "<Error><Code>\($0)</Code><Message>it &amp; failed</Message><RequestId>r1</RequestId></Error>" } ?? ""
            return S3ErrorResponse(status: status, body: Array(body.utf8)).error(operation: "S3 GET /k", key: "k")
        }
        let denied = error(403, "SignatureDoesNotMatch")
        #expect(denied.kind == .accessDenied)
        #expect(denied.message == "S3 GET /k answered 403 SignatureDoesNotMatch: it & failed (request id r1)")
        #expect(denied.key == "k")
        #expect(error(404, "NoSuchKey").kind == .notFound)
        #expect(error(404, nil).kind == .notFound)
        #expect(error(404, "NoSuchBucket").kind == .configuration)
        #expect(error(416, "InvalidRange").kind == .invalidRange)
        #expect(error(503, "SlowDown").kind == .unavailable)
        #expect(error(500, nil).kind == .unavailable)
        #expect(error(200, "InternalError").kind == .unavailable)
        #expect(error(400, "RequestTimeout").kind == .unavailable)
        #expect(error(301, "PermanentRedirect").kind == .configuration)
        #expect(error(400, "InvalidArgument").kind == .badResponse)
        #expect(S3ErrorResponse(status: 502, body: Array("<html>bad gateway</html>".utf8)).kind == .unavailable)
    }

    @Test("hostile or malformed XML is a .badResponse, never a crash", arguments: [
        "", "   ", "text", "<a>", "<a></b>", "</a>", "<a><b></a></b>", "<a>&bogus;</a>", "<a>&#0;</a>", "<a>&#xFFFFFFFF;</a>",
        "<a>&amp</a>", "<a>&</a>", "<a x=\"1></a>", "<a><</a>", "<a/><b/>", "<a></a>trailing",
        "<!DOCTYPE a [<!ENTITY e \"&e;&e;\">]><a>&e;</a>", "<a><![CDATA[x]]></a>", "<!-- never closed", "<?xml",
        String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
    ])
    func malformed(xml: String) {
        #expect {
            _ = try S3XML.parse(Array(xml.utf8))
        } throws: { ($0 as? ObjectStoreError)?.kind == .badResponse }
    }

    @Test("random bytes never crash the parser")
    func fuzz() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("<>/&;#x\"'=ab?!- \n".utf8)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0..<40, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
            _ = try? S3XML.parse(bytes)
        }
    }

    @Test("self-closing tags, attributes with '>' in quotes, and prefixed names")
    func tolerated() throws {
        let root = try S3XML.parse(Array("<s:R a='x>y'><s:E/><K b=\"1\">v</K></s:R>".utf8))
        #expect(root.name == "R")
        #expect(root.children.map(\.name) == ["E", "K"])
        #expect(root.text(of: "K") == "v")
    }

    @Test("RFC 1123 and ISO 8601 dates", arguments: [
        ("Mon, 06 May 2024 07:08:09 GMT", 1_714_979_289.0), ("Thu, 01 Jan 1970 00:00:00 GMT", 0),
        ("Tue, 29 Feb 2000 23:59:59 GMT", 951_868_799),
    ])
    func dates(text: String, seconds: Double) {
        #expect(S3Dates.rfc1123(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test("bad dates are nil", arguments: ["", "Mon, 06 Foo 2024 07:08:09 GMT", "Mon, 06 May 2024 25:08:09 GMT", "2024-13-01T00:00:00Z", "2024-05-06T07:08:09", "2024-05-06T07:08:09.Z", "2024-05-06 07:08:09Z"])
    func badDates(text: String) {
        #expect(S3Dates.rfc1123(text) == nil)
        #expect(S3Dates.iso8601(text) == nil)
    }
}
