/// Kafka's rules for topic names: 1 to 249 characters from [a-zA-Z0-9._-],
/// not "." or "..", not the name of one of Kafka's internal topics, and not
/// colliding with another topic's name once '.' and '_' are taken as equal
/// (Kafka's metric names cannot tell them apart).
enum TopicName {
    static let maximumLength = 249

    /// Names Kafka keeps for itself. This broker keeps offsets and metadata
    /// in its own files, so no topic of these names exists; clients may not
    /// create one or write to one.
    static let internalNames: Set<String> = ["__consumer_offsets", "__transaction_state", "__share_group_state", "__cluster_metadata"]

    /// Whether `name` is one of Kafka's internal topic names.
    static func isInternal(_ name: String) -> Bool { internalNames.contains(name) }

    /// Why `name` is not a legal name for a new topic, or nil if it is.
    static func problem(with name: String) -> String? {
        if let problem = syntaxProblem(with: name) { return problem }
        if isInternal(name) {
            return "'\(name)' is the name of an internal Kafka topic; this broker keeps that state itself, and clients may not create or write such a topic"
        }
        return nil
    }

    /// Why `name` breaks the rules for characters and length, or nil if it does not.
    static func syntaxProblem(with name: String) -> String? {
        if name.isEmpty { return "topic name is empty" }
        if name == "." || name == ".." { return "topic name cannot be '.' or '..'" }
        if name.utf8.count > maximumLength { return "topic name is longer than \(maximumLength) characters" }
        let legal = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
        return legal ? nil : "topic name '\(name)' has characters other than ASCII letters, digits, '.', '_' and '-'"
    }

    /// The existing name that `name` collides with ('.' and '_' taken as equal), if any.
    static func collision(of name: String, among existing: some Sequence<String>) -> String? {
        let folded = fold(name)
        return existing.first { $0 != name && fold($0) == folded }
    }

    private static func fold(_ name: String) -> String {
        String(name.map { $0 == "." ? "_" : $0 })
    }
}
