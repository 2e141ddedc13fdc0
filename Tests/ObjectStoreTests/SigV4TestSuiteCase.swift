import Foundation
@testable import ObjectStore

/// One case of AWS's SigV4 test suite (awslabs/aws-c-auth `tests/aws-signing-test-suite/v4`),
/// read from `../shared/aws-sigv4-test-suite/v4/<name>` beside the repository.
struct SigV4TestSuiteCase {
    /// The suite's folder, found from this file's path; the suite is reference data kept
    /// outside the project.
    static let suiteDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // ObjectStoreTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository
        .appendingPathComponent("../shared/aws-sigv4-test-suite/v4")
        .standardizedFileURL

    /// The names of the suite's cases (its sub-folders holding a `request.txt`), sorted;
    /// empty when the suite is absent.
    static var names: [String] {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: suiteDirectory.path)) ?? []
        return folders.filter {
            FileManager.default.fileExists(atPath: suiteDirectory.appendingPathComponent("\($0)/request.txt").path)
        }.sorted()
    }

    /// The suite's `context.json`: who signs, where, when and how.
    struct Context: Decodable {
        struct Credentials: Decodable {
            var accessKeyId: String
            var secretAccessKey: String
            var token: String?
        }

        var credentials: Credentials
        var expirationInSeconds: Int
        var normalize: Bool
        var region: String
        var service: String
        /// Whether the signer adds `x-amz-content-sha256` (our signer does so only for S3).
        var signBody: Bool
        var timestamp: String
        /// Whether the session token is added after signing, outside the signature.
        var omitSessionToken: Bool?
    }

    let name: String
    let context: Context
    let date: Date
    let request: SigV4Request
    let body: [UInt8]

    init(name: String) throws {
        self.name = name
        let folder = Self.suiteDirectory.appendingPathComponent(name)
        let ownContext = folder.appendingPathComponent("context.json")
        let contextFile = FileManager.default.fileExists(atPath: ownContext.path)
            ? ownContext : Self.suiteDirectory.appendingPathComponent("get-vanilla/context.json")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        context = try decoder.decode(Context.self, from: Data(contentsOf: contextFile))
        guard let date = ISO8601DateFormatter().date(from: context.timestamp) else {
            throw SuiteError("\(name): bad timestamp \(context.timestamp)")
        }
        self.date = date
        (request, body) = try Self.parseRequest(Data(contentsOf: folder.appendingPathComponent("request.txt")), name: name)
    }

    /// The text of the expected-result file `file` (such as `header-signature.txt`), or nil when the case has none.
    func expected(_ file: String) throws -> String? {
        let url = Self.suiteDirectory.appendingPathComponent("\(name)/\(file)")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Parses `METHOD target HTTP/1.1`, `Name:value` header lines (lines starting with white
    /// space continue the previous value), then a blank line and the body. The target's path
    /// is kept as written (the suite writes it unencoded and expects it encoded once); its
    /// query is split at `&` and `=` and percent-decoded, since `SigV4Request.query` is not encoded.
    static func parseRequest(_ data: Data, name: String) throws -> (SigV4Request, [UInt8]) {
        let bytes = [UInt8](data)
        let newline = UInt8(ascii: "\n")
        let headEnd = bytes.indices.dropLast().first { bytes[$0] == newline && bytes[$0 + 1] == newline }
        let head = String(decoding: bytes[..<(headEnd ?? bytes.count)], as: UTF8.self)
        let body = headEnd.map { Array(bytes[($0 + 2)...]) } ?? []

        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let requestLine = lines.popFirst(), let space = requestLine.firstIndex(of: " "),
              requestLine.hasSuffix(" HTTP/1.1")
        else { throw SuiteError("\(name): bad request line") }
        let method = String(requestLine[..<space])
        let target = requestLine[requestLine.index(after: space)..<requestLine.index(requestLine.endIndex, offsetBy: -9)]
        let path = String(target.prefix { $0 != "?" })
        let queryText = target.drop { $0 != "?" }.dropFirst()
        let query = queryText.split(separator: "&").map { pair in
            let name = pair.prefix { $0 != "=" }
            let value = pair.drop { $0 != "=" }.dropFirst()
            return (name: decoded(name), value: decoded(value))
        }

        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            if line.first?.isWhitespace == true, let last = headers.popLast() {
                headers.append((last.name, last.value + " " + String(line)))
            } else if let colon = line.firstIndex(of: ":") {
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            } else {
                throw SuiteError("\(name): bad header line \(line)")
            }
        }
        return (SigV4Request(method: method, path: path, query: query, headers: headers), body)
    }

    private static func decoded(_ text: Substring) -> String {
        String(text).removingPercentEncoding ?? String(text)
    }

    struct SuiteError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
