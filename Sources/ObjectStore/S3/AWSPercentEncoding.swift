/// Percent-encoding as AWS Signature Version 4 does it (RFC 3986): every byte of the UTF-8
/// text except the unreserved `A-Z a-z 0-9 - . _ ~` becomes `%XX` with upper-case hex.
///
/// Unlike form encoding, a space becomes `%20` and `+` becomes `%2B`; S3 reads a raw `+`
/// in a query as a space, so query text must be made here, not by a generic URL encoder.
public enum AWSPercentEncoding {
    /// Encodes `text`, leaving `/` as it is: the path form of an S3 object key
    /// (`"a b/c+d"` becomes `"a%20b/c%2Bd"`).
    public static func path(_ text: some StringProtocol) -> String {
        encode(text, keepingSlash: true)
    }

    /// Encodes `text` for a query parameter name or value; `/` becomes `%2F`.
    public static func queryComponent(_ text: some StringProtocol) -> String {
        encode(text, keepingSlash: false)
    }

    /// The canonical query string of `items`: each name and value encoded, the pairs sorted
    /// by encoded name and then encoded value, joined as `name=value&...`. It is also the
    /// query string to send.
    public static func queryString(_ items: [(name: String, value: String)]) -> String {
        items
            .map { (name: queryComponent($0.name), value: queryComponent($0.value)) }
            .sorted { lhs, rhs in
                lhs.name == rhs.name
                    ? lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
                    : lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8)
            }
            .map { "\($0.name)=\($0.value)" }
            .joined(separator: "&")
    }

    /// `path` with empty, `.` and `..` segments resolved (RFC 3986 dot-segment removal plus
    /// collapsed `//`), keeping a trailing `/`; always starts with `/`.
    static func normalizedPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/") {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let trailingSlash = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return "/" + segments.joined(separator: "/") + trailingSlash
    }

    private static func encode(_ text: some StringProtocol, keepingSlash: Bool) -> String {
        var encoded: [UInt8] = []
        encoded.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                encoded.append(byte)
            } else {
                encoded.append(UInt8(ascii: "%"))
                encoded.append(upperHexDigits[Int(byte >> 4)])
                encoded.append(upperHexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
