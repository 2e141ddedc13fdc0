import ArgumentParser

/// A config file of `key = value` lines named like the flags
/// (`bootstrap-servers = 127.0.0.1:9092`); blank lines and `#` comments are
/// skipped, a later line wins over an earlier one.
struct SettingsFile: Equatable, Sendable {
    /// Where the file was read from, for messages.
    let path: String
    /// The values by key.
    let values: [SettingKey: String]

    /// Parses `text`; a line without `=` or with an unknown key is a usage
    /// error naming the file and line.
    init(path: String, text: String) throws {
        self.path = path
        var values: [SettingKey: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.strippingComment(rawLine).trimmingBlanks()
            guard !line.isEmpty else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("\(path):\(index + 1): expected 'key = value', not '\(line)'")
            }
            let name = line[..<equals].trimmingBlanks()
            guard let key = SettingKey(rawValue: name) else {
                let known = SettingKey.allCases.map(\.fileKey).joined(separator: ", ")
                throw ValidationError("\(path):\(index + 1): unknown setting '\(name)' (known: \(known))")
            }
            values[key] = line[line.index(after: equals)...].trimmingBlanks()
        }
        self.values = values
    }

    /// The line without a comment: one starting the line, or `#` after a blank.
    private static func strippingComment(_ line: Substring) -> Substring {
        var previous: Character = " "
        for index in line.indices {
            if line[index] == "#" && (previous == " " || previous == "\t") { return line[..<index] }
            previous = line[index]
        }
        return line
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and carriage returns.
    func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
