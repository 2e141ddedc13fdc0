import NIOCore

/// The header of a request frame, read with the header version that the
/// API and its version call for.
public struct KafkaRequestHeader: Sendable, Equatable {
    public var apiKey: KafkaApiKey
    public var apiVersion: Int16
    public var correlationId: Int32
    public var clientId: String?

    public init(apiKey: KafkaApiKey, apiVersion: Int16, correlationId: Int32, clientId: String?) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationId = correlationId
        self.clientId = clientId
    }

    /// Reads the header off the start of a frame, leaving the body. An API key
    /// Kafka does not define is read with header v1 so that its correlation id
    /// is known.
    public init(from frame: inout ByteBuffer) throws {
        guard let apiKey = frame.getInteger(at: frame.readerIndex, as: Int16.self),
              let apiVersion = frame.getInteger(at: frame.readerIndex + 2, as: Int16.self) else {
            throw KafkaProtocolError.truncated("request header", needed: 4, available: frame.readableBytes)
        }
        let key = KafkaApiKey(apiKey)
        let headerVersion = key.requestHeaderVersion(for: apiVersion)
        let header = try RequestHeader(from: &frame, version: headerVersion)
        self.init(apiKey: key, apiVersion: apiVersion, correlationId: header.correlationId, clientId: header.clientId)
    }

    /// Encodes the header for a request of this API and version.
    public func encode(to encoder: inout KafkaEncoder) throws {
        var header = RequestHeader()
        header.requestApiKey = apiKey.rawValue
        header.requestApiVersion = apiVersion
        header.correlationId = correlationId
        header.clientId = clientId
        try header.encode(to: &encoder, version: apiKey.requestHeaderVersion(for: apiVersion))
    }
}
