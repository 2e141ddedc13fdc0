import NIOCore

/// Splits a byte stream into Kafka frames (an int32 size, then that many bytes).
///
/// The size is checked against `maximumFrameSize` before anything is
/// allocated: a negative or too large size throws `.frameTooLarge`, and the
/// connection is then closed as Kafka does. Returns nothing on short input
/// without moving the reader index. While a frame arrives the buffer grows
/// toward its size in steps no larger than what has arrived (at least 1 MiB),
/// so a large request takes few reallocations and a bare size prefix reserves little.
public struct KafkaFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest frame accepted (Kafka's `socket.request.max.bytes`).
    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = try Self.nextFrame(in: &buffer, maximumFrameSize: maximumFrameSize) else {
            return .needMoreData
        }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        try decode(context: context, buffer: &buffer)
    }

    /// Takes one whole frame off `buffer`, or returns nil (reader index unchanged) if it is not all there.
    public static func nextFrame(in buffer: inout ByteBuffer, maximumFrameSize: Int) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0 else {
            throw KafkaProtocolError(.frameTooLarge, "frame size \(size) is negative")
        }
        guard Int(size) <= maximumFrameSize else {
            throw KafkaProtocolError(.frameTooLarge, "frame of \(size) bytes is larger than socket.request.max.bytes (\(maximumFrameSize))")
        }
        let needed = 4 + Int(size)
        guard buffer.readableBytes >= needed else {
            // Grow toward the frame's size as its bytes arrive, at most 1 MiB
            // ahead of them, so that a size prefix alone reserves little.
            let ahead = Swift.min(needed - buffer.readableBytes, Swift.max(buffer.readableBytes, 1 << 20))
            if buffer.writableBytes < ahead {
                buffer.reserveCapacity(minimumWritableBytes: ahead)
            }
            return nil
        }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }
}
