/// How the ACL enums read their names back: the way Kafka prints them
/// (`TRANSACTIONAL_ID`), in any case, with `-` for `_` (`transactional-id`),
/// or run together as Kafka's admin tools write them (`TransactionalId`).
enum AclNameMatcher {
    /// Whether `text` names the value Kafka prints as `kafkaName`.
    static func matches(_ text: String, kafkaName: String) -> Bool {
        let upper = text.uppercased()
        if String(upper.map { $0 == "-" ? "_" : $0 }) == kafkaName {
            return true
        }
        let hasSeparator = upper.contains { $0 == "_" || $0 == "-" }
        return !hasSeparator && upper == String(kafkaName.filter { $0 != "_" })
    }
}
