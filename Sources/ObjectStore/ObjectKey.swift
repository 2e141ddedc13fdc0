/// The name of an object inside a store: slash-separated segments of UTF-8 text.
///
/// A key can never name anything outside its store: it is relative (no leading `/`),
/// has no empty, `.` or `..` segments, no backslashes or control characters, and is at
/// most 1,024 bytes long (S3's limit). Creating a key from hostile text throws
/// `ObjectStoreError` `.invalidKey` saying what was wrong.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The key's text.
    public let rawValue: String

    /// The longest key, in UTF-8 bytes.
    public static let maximumLength = 1024

    /// Checks `rawValue` and makes a key of it.
    public init(_ rawValue: String) throws(ObjectStoreError) {
        if let problem = Self.problem(with: rawValue) {
            throw ObjectStoreError(.invalidKey, key: rawValue, problem)
        }
        self.rawValue = rawValue
    }

    /// The key's segments, split at `/`.
    public var segments: [Substring] { rawValue.split(separator: "/", omittingEmptySubsequences: false) }

    /// The key's text.
    public var description: String { rawValue }

    /// Orders keys by their UTF-8 bytes, as S3 lists them.
    public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        lhs.rawValue.utf8.lexicographicallyPrecedes(rhs.rawValue.utf8)
    }

    private static func problem(with text: String) -> String? {
        if text.isEmpty { return "the key is empty" }
        if text.utf8.count > maximumLength { return "the key is longer than \(maximumLength) bytes" }
        if text.hasPrefix("/") { return "the key starts with '/' (keys are relative to the store)" }
        if text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "the key contains a control character"
        }
        if text.contains("\\") { return "the key contains a backslash" }
        for segment in text.split(separator: "/", omittingEmptySubsequences: false) {
            switch segment {
            case "": return "the key has an empty segment ('//' or a trailing '/')"
            case ".", "..": return "the key has a '\(segment)' segment"
            default: continue
            }
        }
        return nil
    }
}
