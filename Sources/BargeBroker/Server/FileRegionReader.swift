import FileIO
import KafkaProtocol
import NIOCore

/// Sends file regions on a TLS connection, where the kernel cannot: sendfile
/// would skip the encryption. Each region written through this handler is
/// read in ``pieceSize`` pieces on the connection's event loop, as Kafka's
/// network threads read segments for TLS, and passed on as bytes for the TLS
/// handler to encrypt.
///
/// A piece is read only while the channel is writable, so a response of any
/// size costs one piece and the channel's write buffer (its high watermark)
/// of memory, and a slow reader holds back the reading, not the memory.
/// Whatever is written after a region waits for it, so a response keeps its
/// order. A region's promise completes when its last piece has been written;
/// a region that cannot be read fails its promise and closes the connection,
/// whose response would otherwise be cut short.
final class FileRegionReader: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias InboundOut = NIOAny
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// The bytes read, encrypted and written at a time.
    static let pieceSize = 256 * 1024

    private enum Write {
        case bytes(ByteBuffer, EventLoopPromise<Void>?)
        case region(FileRegion, EventLoopPromise<Void>?)

        var promise: EventLoopPromise<Void>? {
            switch self {
            case .bytes(_, let promise), .region(_, let promise): promise
            }
        }
    }

    /// Writes held back behind a region, oldest first.
    private var queue = CircularBuffer<Write>()
    /// How many of the queued writes a flush has released.
    private var flushed = 0
    /// Set while the queue is being sent, so that events raised by the writes
    /// themselves (writability changes) do not send it a second time.
    private var sending = false
    /// The buffer of the last piece, read into again once the TLS handler
    /// has encrypted it, until the queue is empty.
    private var spare: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .byteBuffer(let bytes) where queue.isEmpty:
            context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
        case .byteBuffer(let bytes):
            queue.append(.bytes(bytes, promise))
        case .fileRegion(let region):
            queue.append(.region(region, promise))
        }
    }

    func flush(context: ChannelHandlerContext) {
        flushed = queue.count
        if flushed == 0 {
            context.flush()
        } else {
            send(context: context)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && flushed > 0 { send(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        failQueued(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failQueued(ChannelError.ioOnClosedChannel)
    }

    /// Sends the released writes in order, a piece of a region at a time
    /// while the channel is writable; stops where it is not, to go on when
    /// it is again.
    private func send(context: ChannelHandlerContext) {
        guard !sending else { return }
        sending = true
        defer { sending = false }
        while flushed > 0, let next = queue.first {
            switch next {
            case .bytes(let bytes, let promise):
                release()
                context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
            case .region(var region, let promise):
                guard context.channel.isWritable else {
                    context.flush()
                    return
                }
                var piece = spare.take() ?? context.channel.allocator.buffer(capacity: Self.pieceSize)
                do {
                    try Self.readPiece(of: region, into: &piece)
                } catch {
                    release()
                    promise?.fail(error)
                    context.close(promise: nil)
                    return
                }
                region.moveReaderIndex(forwardBy: piece.readableBytes)
                if region.readableBytes == 0 {
                    release()
                    context.write(wrapOutboundOut(.byteBuffer(piece)), promise: promise)
                } else {
                    queue[queue.startIndex] = .region(region, promise)
                    context.write(wrapOutboundOut(.byteBuffer(piece)), promise: nil)
                }
                // The TLS handler encrypts on flush; the socket's buffer then
                // tells, through writability, whether to read the next piece.
                context.flush()
                spare = piece
            }
        }
        spare = nil
        context.flush()
    }

    /// Takes the first write off the queue once it has been passed on.
    private func release() {
        queue.removeFirst()
        flushed -= 1
    }

    private func failQueued(_ error: any Error) {
        let writes = queue
        queue.removeAll()
        flushed = 0
        for write in writes { write.promise?.fail(error) }
    }

    /// The next piece of `region` from its reader index: `pieceSize` bytes or
    /// what is left, whichever is less. A file that ends early is a truncated segment.
    private static func readPiece(of region: FileRegion, into piece: inout ByteBuffer) throws {
        let length = min(pieceSize, region.readableBytes)
        let offset = region.readerIndex
        piece.clear()
        let read = try region.fileHandle.withUnsafeFileDescriptor { descriptor in
            // Borrowed, not owned: the region's handle closes the descriptor.
            let file = PosixFileHandle(path: "a segment being fetched", descriptor: descriptor)
            return try piece.writeWithUnsafeMutableBytes(minimumWritableBytes: length) { target in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: target[..<length]), at: offset)
            }
        }
        guard read == length else {
            throw KafkaProtocolError(.truncated, "a segment file ended \(length - read) bytes early while being sent")
        }
    }
}
