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

    /// Key, value and header bytes of a record: what it counts against
    /// in-flight and buffer limits.
    package static func recordByteCount(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> Int {
        (key?.count ?? 0) + (value?.count ?? 0) + headers.reduce(0) { $0 + $1.key.utf8.count + ($1.value?.count ?? 0) }
    }

    /// A header whose value is `value` in UTF-8.
    public init(key: String, string value: String) {
        self.init(key: key, value: Array(value.utf8))
    }
}
