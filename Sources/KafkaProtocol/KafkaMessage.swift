import NIOCore

/// A Kafka message (request, response, header or embedded struct) with a
/// generated codec that reads and writes any of its versions.
public protocol KafkaMessage: Sendable, Equatable {
    /// The versions the schema defines.
    static var versions: ClosedRange<Int16> { get }
    /// The first version that uses compact types and tagged fields, if any.
    static var firstFlexibleVersion: Int16? { get }
    /// A message with every field at its default.
    init()
    /// Decodes the message as written at `version`.
    init(from buffer: inout ByteBuffer, version: Int16) throws
    /// Encodes the message as written at `version`.
    func encode(to encoder: inout KafkaEncoder, version: Int16) throws
}

extension KafkaMessage {
    /// Whether `version` uses compact types and tagged fields.
    public static func isFlexible(_ version: Int16) -> Bool {
        firstFlexibleVersion.map { version >= $0 } ?? false
    }

    /// Decodes a message that must fill `buffer` exactly: trailing bytes are an error.
    public init(decodingAll buffer: ByteBuffer, version: Int16) throws {
        var buffer = buffer
        try self.init(from: &buffer, version: version)
        guard buffer.readableBytes == 0 else {
            throw KafkaProtocolError(.invalidLength, "\(Self.self) v\(version) has \(buffer.readableBytes) unread trailing bytes")
        }
    }

    /// Encodes the message into a new buffer (file regions are not allowed here).
    public func encoded(version: Int16, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        var encoder = KafkaEncoder(buffer: allocator.buffer(capacity: 64))
        try encode(to: &encoder, version: version)
        precondition(encoder.splices.isEmpty, "encoded(version:) cannot hold file regions; use KafkaEncoder")
        return encoder.buffer
    }
}
