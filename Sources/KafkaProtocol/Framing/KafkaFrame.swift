import NIOCore

/// Builds whole frames: the size prefix, a header and a message body.
public enum KafkaFrame {
    /// Encodes a response frame: size, correlation id (and tagged fields for
    /// header v1), then the body at `version`. File regions of the body stay
    /// in the encoder's splices; the size counts them.
    public static func response<Message: KafkaMessage>(
        _ body: Message, apiKey: KafkaApiKey, version: Int16, correlationId: Int32,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws -> KafkaEncoder {
        var encoder = KafkaEncoder(buffer: allocator.buffer(capacity: 256))
        encoder.writeInt32(0)
        encoder.writeInt32(correlationId)
        if apiKey.responseHeaderVersion(for: version) >= 1 {
            encoder.writeEmptyTaggedFields()
        }
        try body.encode(to: &encoder, version: version)
        encoder.buffer.setInteger(Int32(encoder.totalByteCount - 4), at: encoder.buffer.readerIndex)
        return encoder
    }

    /// Encodes a request frame (used by tests and tools).
    public static func request<Message: KafkaMessage>(
        _ body: Message, header: KafkaRequestHeader, allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) throws -> ByteBuffer {
        var encoder = KafkaEncoder(buffer: allocator.buffer(capacity: 256))
        encoder.writeInt32(0)
        try header.encode(to: &encoder)
        try body.encode(to: &encoder, version: header.apiVersion)
        precondition(encoder.splices.isEmpty, "a request holds no file regions")
        encoder.buffer.setInteger(Int32(encoder.buffer.readableBytes - 4), at: encoder.buffer.readerIndex)
        return encoder.buffer
    }

    /// Reads a response frame's body (without the size prefix): checks the
    /// correlation id's presence and decodes the message (used by tests and tools).
    public static func decodeResponse<Message: KafkaMessage>(
        _ type: Message.Type, from frame: ByteBuffer, apiKey: KafkaApiKey, version: Int16
    ) throws -> (correlationId: Int32, message: Message) {
        var frame = frame
        let header = try ResponseHeader(from: &frame, version: apiKey.responseHeaderVersion(for: version))
        return (header.correlationId, try Message(decodingAll: frame, version: version))
    }
}
