/// A Kafka API key such as Produce (0) or Fetch (1). The named constants and
/// the catalog of all keys are generated from Kafka's request schemas.
public struct KafkaApiKey: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int16

    public init(_ rawValue: Int16) { self.rawValue = rawValue }

    /// The API's name and schema versions, when Kafka defines this key.
    public var apiDescription: KafkaApiDescription? { Self.catalog[self] }

    public var description: String { apiDescription.map { "\($0.name)(\(rawValue))" } ?? "unknown API \(rawValue)" }

    /// The request header version a request of this API at `version` uses:
    /// 2 for flexible versions, 1 otherwise (0 for ControlledShutdown v0).
    public func requestHeaderVersion(for version: Int16) -> Int16 {
        if self == .controlledShutdown && version == 0 { return 0 }
        return (apiDescription?.isFlexible(version) ?? false) ? 2 : 1
    }

    /// The response header version for a response at `version`: 1 for flexible
    /// versions, 0 otherwise. ApiVersions always answers with header v0 so that
    /// a client that sent a version the broker does not know can still read it.
    public func responseHeaderVersion(for version: Int16) -> Int16 {
        if self == .apiVersions { return 0 }
        return (apiDescription?.isFlexible(version) ?? false) ? 1 : 0
    }
}

/// What Kafka's schema says about one API.
public struct KafkaApiDescription: Sendable {
    public let name: String
    public let versions: ClosedRange<Int16>
    public let firstFlexibleVersion: Int16?

    public func isFlexible(_ version: Int16) -> Bool {
        firstFlexibleVersion.map { version >= $0 } ?? false
    }
}
