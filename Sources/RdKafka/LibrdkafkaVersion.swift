import CRdKafka

/// The librdkafka the process loaded, and the oldest one this client supports.
public enum LibrdkafkaVersion {
    /// The oldest supported librdkafka: 2.0.0 (Debian 12 ships 2.0.2).
    public static let minimum: Int32 = 0x0200_00ff

    /// The first librdkafka that can destroy a cooperative-sticky consumer
    /// closed before its first assignment (librdkafka issue 4312).
    static let cooperativeStickyDestroyFixed: Int32 = 0x0203_00ff

    /// The loaded library's version as librdkafka encodes it (`0xMMmmrrxx`).
    public static var loaded: Int32 { rd_kafka_version() }

    /// The loaded library's version as text, such as "2.0.2".
    public static var loadedString: String { String(cString: rd_kafka_version_str()) }

    /// Throws `KafkaClientError.Kind.unsupportedLibraryVersion` if the loaded
    /// librdkafka is older than ``minimum``.
    public static func check() throws {
        guard loaded >= minimum else {
            throw KafkaClientError(
                kind: .unsupportedLibraryVersion,
                message: "librdkafka \(loadedString) is older than the minimum supported 2.0.0; install a newer librdkafka (apt librdkafka-dev, brew librdkafka)"
            )
        }
    }
}
