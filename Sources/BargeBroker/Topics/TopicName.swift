/// Kafka's rules for topic names: 1 to 249 characters from [a-zA-Z0-9._-],
/// and not "." or "..".
enum TopicName {
    static let maximumLength = 249

    /// Why `name` is not a legal topic name, or nil if it is.
    static func problem(with name: String) -> String? {
        if name.isEmpty { return "topic name is empty" }
        if name == "." || name == ".." { return "topic name cannot be '.' or '..'" }
        if name.utf8.count > maximumLength { return "topic name is longer than \(maximumLength) characters" }
        let legal = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        return legal ? nil : "topic name '\(name)' has characters other than ASCII letters, digits, '.', '_' and '-'"
    }
}
