import Foundation

/// Keyrings written as text: entries `id:base64key`, where `base64key` is 32
/// bytes in standard base64 with padding (44 characters). The first entry is
/// the current key. Errors say where and what is wrong, never the key.
extension BargeKeyring {
    /// Parses a one-line list such as a command-line option or an
    /// environment variable: `id:base64key[,id2:base64key2...]`. Spaces
    /// around entries are ignored.
    public init(parsing text: String) throws(BargeEncryptionError) {
        var keys: [BargeEncryptionKey] = []
        for (number, entry) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
            keys.append(try Self.key(entry, at: "entry \(number + 1)"))
        }
        try self.init(keys)
    }

    /// Parses a key file: one `id:base64key` per line (LF or CRLF); blank lines and
    /// everything from a `#` to the end of its line are ignored.
    public init(fileContents text: String) throws(BargeEncryptionError) {
        var keys: [BargeEncryptionKey] = []
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let content = line.prefix { $0 != "#" }
            guard !Self.trimmed(content).isEmpty else { continue }
            keys.append(try Self.key(content, at: "line \(number + 1)"))
        }
        try self.init(keys)
    }

    /// The key that `entry` (at `place`, such as "line 3") spells.
    private static func key(_ entry: Substring, at place: String) throws(BargeEncryptionError) -> BargeEncryptionKey {
        let entry = trimmed(entry)
        guard !entry.isEmpty else { throw BargeEncryptionError(.badKeyring, "\(place) is empty") }
        guard let colon = entry.firstIndex(of: ":") else {
            throw BargeEncryptionError(.badKeyring, "\(place) has no ':' between a key id and a key")
        }
        do throws(BargeEncryptionError) {
            return try BargeEncryptionKey(id: String(entry[..<colon]), base64: String(entry[entry.index(after: colon)...]))
        } catch {
            throw BargeEncryptionError(.badKeyring, keyID: error.keyID, "\(place): \(error.message)")
        }
    }

    /// `text` without leading and trailing spaces and tabs.
    private static func trimmed(_ text: Substring) -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return text[text.endIndex...]
        }
        return text[first...last]
    }
}
