import ArgumentParser

/// A config file of `key = value` lines named like the flags
/// (`bootstrap-servers = 127.0.0.1:9092`) or like Kafka's client properties
/// (`bootstrap.servers=...`, `security.protocol`, `sasl.mechanisms`, ...:
/// ``SettingKey/kafkaNames``), so that a cluster's `client.properties` works
/// as is; Kafka properties Barge does not take (dotted names such as
/// `session.timeout.ms`, and `acks`, `retries`) are skipped, and a Java client's
/// `sasl.jaas.config` gives the SASL user name and password when
/// `sasl.username` and `sasl.password` do not. Blank lines and `#` comments
/// are skipped, a later line wins over an earlier one.
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
        var jaas: [SettingKey: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.strippingComment(rawLine).trimmingBlanks()
            guard !line.isEmpty else { continue }
            guard let equals = line.firstIndex(of: "=") else {
                let shown = ["password", "secret", "jaas"].contains { line.lowercased().contains($0) } ? "a line that may hold a secret" : "'\(line)'"
                throw ValidationError("\(path):\(index + 1): expected 'key = value', not \(shown)")
            }
            let name = line[..<equals].trimmingBlanks()
            let value = line[line.index(after: equals)...].trimmingBlanks()
            if let key = SettingKey(fileKey: name) {
                values[key] = value
            } else if name == "sasl.jaas.config" {
                let options = JAASOptions(value)
                jaas[.saslUsername] = options["username"]
                jaas[.saslPassword] = options["password"]
            } else if !name.contains(".") && !Self.kafkaNamesWithoutDot.contains(name) {
                let known = SettingKey.allCases.map(\.fileKey).joined(separator: ", ")
                throw ValidationError("\(path):\(index + 1): unknown setting '\(name)' (known: \(known), or Kafka's names such as bootstrap.servers)")
            }
        }
        self.values = values.merging(jaas) { explicit, _ in explicit }
    }

    /// Kafka client properties without a dot, skipped like the dotted ones.
    static let kafkaNamesWithoutDot: Set<String> = ["acks", "retries", "debug"]

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
