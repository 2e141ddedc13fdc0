/// A record header: a name and an optional value (Kafka allows null values).
public struct KafkaHeader: Hashable, Sendable {
    /// The header's name.
    public var key: String
    /// The header's value; `nil` is Kafka's null.
    public var value: [UInt8]?

    /// A header with a byte value.
    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// A header whose value is `value` in UTF-8.
    public init(key: String, string value: String) {
        self.init(key: key, value: Array(value.utf8))
    }
}
