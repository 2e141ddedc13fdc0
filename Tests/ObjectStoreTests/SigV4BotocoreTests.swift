import Foundation
import Testing
@testable import ObjectStore

/// Compares our signatures with botocore's on generated S3 (and a few other) requests, by
/// running `Tools/sigv4_botocore.py` with `python3`; botocore must be installed.
@Suite("SigV4Signer against botocore")
struct SigV4BotocoreTests {
    /// One request to sign, in the JSON shape `Tools/sigv4_botocore.py` reads.
    struct Case: Encodable {
        var service = "s3"
        var region: String
        var accessKey = "AKIDEXAMPLE"
        var secretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        var token: String?
        var epochSeconds: Int
        var method: String
        var host: String
        var path: String
        var query: [[String]] = []
        var headers: [[String]]
        var body = ""
        var unsignedPayload = false
        var presignExpires: Int?
    }

    /// botocore's answer for one case.
    struct Result: Decodable {
        var authorization: String
        var presignedSignature: String?
    }

    @Test("Authorization headers and presigned signatures match botocore's")
    func matchesBotocore() throws {
        let cases = Self.s3Cases() + Self.otherServiceCases()
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let results = try decoder.decode([Result].self, from: try Self.runBotocore(input: encoder.encode(cases)))
        try #require(results.count == cases.count)

        for (index, (testCase, expected)) in zip(cases, results).enumerated() {
            let signer = SigV4Signer(
                credentials: AWSCredentials(
                    accessKeyID: testCase.accessKey, secretAccessKey: testCase.secretKey, sessionToken: testCase.token),
                region: testCase.region, service: testCase.service, normalizesPath: testCase.service != "s3"
            )
            let request = SigV4Request(
                method: testCase.method, path: testCase.path,
                query: testCase.query.map { (name: $0[0], value: $0[1]) },
                headers: testCase.headers.map { (name: $0[0], value: $0[1]) }
            )
            let date = Date(timeIntervalSince1970: Double(testCase.epochSeconds))
            let payloadHash = testCase.unsignedPayload
                ? SigV4Signer.unsignedPayload : SigV4Signer.payloadHash(of: Array(testCase.body.utf8))
            var signed = request
            signer.sign(&signed, payloadHash: payloadHash, date: date)
            #expect(signed.values(ofHeader: "authorization") == [expected.authorization], "case \(index): \(testCase)")

            if let expires = testCase.presignExpires {
                let presignHash = testCase.service == "s3" ? SigV4Signer.unsignedPayload : SigV4Signer.emptyPayloadHash
                let query = signer.presignedQuery(for: request, expires: expires, date: date, payloadHash: presignHash)
                #expect(query.last?.value == expected.presignedSignature, "presigned case \(index): \(testCase)")
            }
        }
    }

    // MARK: - Generated requests

    static let keys = [
        "plain.bin", "with space/and  more", "unicode/é ü 日本語", "plus+sign", "tilde~ok", "equals=sign&and",
        "percent%41literal", "star*(paren)!'", "colon:semi;comma,", "deep/a/b/c/d.txt", "question?hash#", "dollar$at@",
    ]
    static let regions = ["us-east-1", "eu-west-3", "garage"]
    static let hosts = ["s3.amazonaws.com", "bucket.s3.eu-west-3.amazonaws.com", "localhost:9000", "127.0.0.1:8333"]

    /// 33 S3 requests: every operation the store makes, over awkward keys, tokens and dates.
    static func s3Cases() -> [Case] {
        (0..<33).map { index in
            let key = keys[index % keys.count]
            let host = hosts[index % hosts.count]
            var testCase = Case(
                region: regions[index % regions.count],
                token: index % 3 == 0 ? "FwoGZXIvYXdzEB0aDK+/session=token" : nil,
                // Spread over 1970-2100, through leap days and year ends.
                epochSeconds: (index * 123_456_789 + index * index * 7_919) % 4_102_444_800,
                method: "GET", host: host, path: "/bucket-name/" + AWSPercentEncoding.path(key),
                headers: [["Host", host]],
                unsignedPayload: index % 4 == 1,
                presignExpires: index % 5 == 0 ? 60 + index * 1000 : nil
            )
            switch index % 9 {
            case 0:  // ranged GET
                testCase.headers.append(["Range", "bytes=\(index * 100)-\(index * 100 + 99)"])
            case 1:  // PUT with metadata, white space runs and a repeated header
                testCase.method = "PUT"
                testCase.body = "payload \(index) ✓ éè\n"
                testCase.headers += [
                    ["Content-Type", "application/octet-stream"], ["Content-Length", String(testCase.body.utf8.count)],
                    ["x-amz-meta-origin", "  barge   producer\t1 "], ["X-Amz-Meta-Dup", "b"], ["x-amz-meta-dup", "a"],
                ]
            case 2:
                testCase.method = "HEAD"
            case 3:
                testCase.method = "DELETE"
            case 4:  // upload a part
                testCase.method = "PUT"
                testCase.body = String(repeating: "part-bytes ", count: index)
                testCase.query = [["partNumber", String(index)], ["uploadId", "2~abc.def_ghi-XYZ/+=="]]
                testCase.headers.append(["Content-Length", String(testCase.body.utf8.count)])
            case 5:  // start a multipart upload
                testCase.method = "POST"
                testCase.query = [["uploads", ""]]
                testCase.headers.append(["Content-Type", "application/octet-stream"])
            case 6:  // complete it
                testCase.method = "POST"
                testCase.body = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>"
                testCase.query = [["uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA"]]
            case 7:  // list a page
                testCase.path = "/bucket-name"
                testCase.query = [
                    ["list-type", "2"], ["prefix", "topic a/\(key)"], ["delimiter", "/"],
                    ["continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=+"], ["max-keys", "1000"],
                ]
            default:  // abort
                testCase.method = "DELETE"
                testCase.query = [["uploadId", "id with spaces ~ and ü"]]
            }
            return testCase
        }
    }

    /// Services other than S3: path normalisation and double encoding.
    static func otherServiceCases() -> [Case] {
        let paths = ["/", "/a/./b/../c//d%20e", "//x//y/", "/%E1%88%B4/..", "/résumé/ok~"]
        return paths.enumerated().map { index, path in
            Case(
                service: ["sts", "execute-api"][index % 2], region: regions[index % regions.count],
                token: index % 2 == 0 ? "token/with+chars=" : nil,
                epochSeconds: 1_440_938_160 + index * 86_399,
                method: index % 2 == 0 ? "POST" : "GET", host: "service.example.com", path: path,
                query: [["Action", "GetCallerIdentity"], ["Version", "2011-06-15"], ["ሴ", "value \(index)"]],
                headers: [["Host", "service.example.com"], ["My-Header", "  a   b "]],
                body: index % 2 == 0 ? "Action=GetCallerIdentity&Version=2011-06-15" : "",
                presignExpires: 900
            )
        }
    }

    // MARK: - Running botocore

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tools/sigv4_botocore.py")

    /// Runs the script with `input` on stdin and returns its stdout, killing it after 60 seconds.
    static func runBotocore(input: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()

        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: watchdog)
        defer { watchdog.cancel() }

        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            throw BotocoreFailure(
                description: "python3 \(script.path) failed (status \(process.terminationStatus), "
                    + "\(process.terminationReason == .exit ? "exited" : "killed after 60 s or by a signal")); "
                    + "it needs python3 with botocore installed. stderr:\n"
                    + String(decoding: errors, as: UTF8.self)
            )
        }
        return output
    }

    struct BotocoreFailure: Error, CustomStringConvertible {
        let description: String
    }
}
