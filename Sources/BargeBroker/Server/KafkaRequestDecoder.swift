import FileIO
import KafkaProtocol
import NIOCore
import NIOPosix

/// Splits a connection's bytes into requests.
///
/// Frames are checked against `socket.request.max.bytes` from their size
/// prefix, before anything is allocated, and frames of APIs other than
/// Produce against `non.produce.request.max.bytes` (a larger one closes the
/// connection). Frames collected whole (all but large Produce requests) first
/// reserve their size in the broker's `RequestMemoryPool`
/// (`queued.max.request.bytes`); while a reservation does not fit, the
/// socket is not read, and the lease travels with the request until it has
/// been served. A larger
/// Produce request (v3-v9) is parsed as it arrives instead: its records
/// fields of `spooledRecordsMinimum` bytes or more are written to a spool
/// file through the thread pool as they come in, and reading from the socket
/// pauses while more than `maximumWritesInFlight` writes are pending. So a
/// 100 MB record passes through the broker with only a few socket buffers'
/// worth of memory. When the spool cannot be created or written (a full
/// disk), the rest of the request is read and dropped, and the request is
/// handed on with the failure, to be answered KAFKA_STORAGE_ERROR: the
/// connection stays open.
final class KafkaRequestDecoder: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = KafkaInboundRequest
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Sizes that decide how requests are received.
    struct Limits: Sendable {
        /// `socket.request.max.bytes`.
        var maximumFrameSize: Int
        /// `non.produce.request.max.bytes`.
        var maximumNonProduceFrameSize: Int
        /// Produce frames of at least this many bytes are streamed.
        var spoolThreshold: Int
        /// Records fields of streamed frames at least this large go to the spool.
        var spooledRecordsMinimum = 64 * 1024
        /// Spool writes pending before the socket stops being read.
        var maximumWritesInFlight = 4
        /// `sasl.server.max.receive.size`: the largest frame before the connection has authenticated.
        var maximumFrameSizeBeforeAuthentication = 524_288
    }

    private struct Streaming {
        var parser: ProduceRequestStreamParser
        /// The spool, or why it cannot hold the request (later writes are skipped).
        var spool: Result<SpoolFile, FileIOError>
        var bytesSpooled = 0
        var writesInFlight = 0
        var header: KafkaRequestHeader?
        var ranges: [Range<Int>] = []
        var finished: (request: ProduceRequest, streamed: [(topic: Int, partition: Int)])?
    }

    private let limits: Limits
    private let spoolDirectory: String
    private let fileSystem: any FileSystemIO
    private let threadPool: NIOThreadPool
    private let memory: RequestMemoryPool
    /// Opens once the client has logged in; nil on listeners without SASL.
    private let authentication: AuthenticationGate?
    private var cumulation = ByteBuffer()
    private var streaming: Streaming?
    /// The reservation of the frame being received whole.
    private var lease: RequestMemoryLease?
    /// Whether the next frame waits for its reservation (the socket is not read meanwhile).
    private var waitingForMemory = false
    private var readHeld = false
    private var failed = false

    init(
        limits: Limits, spoolDirectory: String, fileSystem: any FileSystemIO, threadPool: NIOThreadPool, memory: RequestMemoryPool,
        authentication: AuthenticationGate? = nil
    ) {
        self.limits = limits
        self.authentication = authentication
        self.spoolDirectory = spoolDirectory
        self.fileSystem = fileSystem
        self.threadPool = threadPool
        self.memory = memory
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var bytes = unwrapInboundIn(data)
        do {
            if streaming != nil {
                try feedStreaming(context: context, &bytes)
            }
            if bytes.readableBytes > 0 {
                // An empty cumulation takes the read's buffer as it is: no copy.
                if cumulation.readableBytes == 0 {
                    cumulation = bytes
                } else {
                    reserveRestOfFrame()
                    cumulation.writeBuffer(&bytes)
                }
            }
            try decodeCumulation(context: context)
        } catch {
            fail(context: context, error)
        }
    }

    func read(context: ChannelHandlerContext) {
        if mustHoldReads {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        streaming = nil
        lease = nil
        waitingForMemory = false
        context.fireChannelInactive()
    }

    /// Whether the socket must not be read for now: spool writes are behind, or memory is short.
    private var mustHoldReads: Bool {
        waitingForMemory || (streaming?.writesInFlight ?? 0) >= limits.maximumWritesInFlight
    }

    private func resumeReadsIfHeld(context: ChannelHandlerContext) {
        guard readHeld, !mustHoldReads else { return }
        readHeld = false
        context.read()
    }

    /// Takes whole frames off the cumulation, or starts streaming a large Produce request.
    private func decodeCumulation(context: ChannelHandlerContext) throws {
        while streaming == nil && !waitingForMemory {
            guard let size = cumulation.getInteger(at: cumulation.readerIndex, as: Int32.self) else { break }
            if let authentication, !authentication.isOpen, Int(size) > limits.maximumFrameSizeBeforeAuthentication {
                throw KafkaProtocolError(.frameTooLarge, "a frame of \(size) bytes before authentication is larger than sasl.server.max.receive.size (\(limits.maximumFrameSizeBeforeAuthentication))")
            }
            if Int(size) >= limits.spoolThreshold && Int(size) <= limits.maximumFrameSize {
                guard let apiKey = cumulation.getInteger(at: cumulation.readerIndex + 4, as: Int16.self),
                      let version = cumulation.getInteger(at: cumulation.readerIndex + 6, as: Int16.self) else { break }
                if apiKey == KafkaApiKey.produce.rawValue && ProduceRequestStreamParser.versions.contains(version) {
                    cumulation.moveReaderIndex(forwardBy: 4)
                    streaming = Streaming(
                        parser: ProduceRequestStreamParser(frameSize: Int(size), streamThreshold: limits.spooledRecordsMinimum),
                        spool: Result { () throws(FileIOError) in try SpoolFile(directory: spoolDirectory, fileSystem: fileSystem) })
                    try feedStreaming(context: context, &cumulation)
                    continue
                }
            }
            if lease == nil && size >= 0 && Int(size) <= limits.maximumFrameSize {
                guard try reserve(size, context: context) else { break }
            }
            guard let frame = try KafkaFrameDecoder.nextFrame(in: &cumulation, maximumFrameSize: limits.maximumFrameSize) else { break }
            context.fireChannelRead(wrapInboundOut(.frame(frame, lease: lease)))
            lease = nil
        }
        // Frames handed on and spool writes in flight still share the storage, so it is
        // never written again: compacting it in place would copy all of it first.
        if cumulation.readableBytes == 0 {
            cumulation = ByteBuffer()
        } else if cumulation.readerIndex > 64 * 1024 {
            var rest = ByteBufferAllocator().buffer(capacity: cumulation.readableBytes)
            rest.writeBuffer(&cumulation)
            cumulation = rest
        }
    }

    /// Grows the cumulation once to hold the whole frame it starts with, rather
    /// than by doubling as its bytes come: only for a frame whose memory is
    /// reserved (a size a client merely announces allocates nothing).
    private func reserveRestOfFrame() {
        guard lease != nil, let size = cumulation.getInteger(at: cumulation.readerIndex, as: Int32.self) else { return }
        let missing = 4 + Int(size) - cumulation.readableBytes
        if missing > cumulation.writableBytes { cumulation.reserveCapacity(minimumWritableBytes: missing) }
    }

    /// Checks the size of a frame to be received whole against its API's
    /// limit and reserves it in the memory pool. False when the frame must
    /// wait for memory: reading stops until the pool wakes this connection.
    private func reserve(_ size: Int32, context: ChannelHandlerContext) throws -> Bool {
        if Int(size) > limits.maximumNonProduceFrameSize {
            guard let apiKey = cumulation.getInteger(at: cumulation.readerIndex + 4, as: Int16.self) else { return false }
            if apiKey != KafkaApiKey.produce.rawValue {
                throw KafkaProtocolError(.frameTooLarge, "a \(KafkaApiKey(apiKey)) request of \(size) bytes is larger than non.produce.request.max.bytes (\(limits.maximumNonProduceFrameSize))")
            }
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        lease = memory.reserve(Int(size)) {
            eventLoop.execute { handler.value.memoryFreed(context: boundContext.value) }
        }
        waitingForMemory = lease == nil
        return lease != nil
    }

    /// Tries again to reserve the waiting frame, and reads on if it fits.
    private func memoryFreed(context: ChannelHandlerContext) {
        guard !failed, waitingForMemory else { return }
        waitingForMemory = false
        do {
            try decodeCumulation(context: context)
            // Requests may have come out of the cumulation here, not from a socket read: deliver them now.
            context.fireChannelReadComplete()
        } catch {
            return fail(context: context, error)
        }
        resumeReadsIfHeld(context: context)
    }

    /// Feeds the streamed request's bytes to its parser and spools records as they come.
    private func feedStreaming(context: ChannelHandlerContext, _ input: inout ByteBuffer) throws {
        guard var state = streaming else { return }
        let events = try state.parser.feed(&input)
        var writes: [(bytes: ByteBuffer, offset: Int)] = []
        for event in events {
            switch event {
            case .header(let header):
                state.header = header
            case .recordsStart(let length):
                state.ranges.append(state.bytesSpooled..<(state.bytesSpooled + length))
            case .recordsBytes(let bytes):
                if case .success = state.spool {
                    writes.append((bytes, state.bytesSpooled))
                    state.writesInFlight += 1
                }
                state.bytesSpooled += bytes.readableBytes
            case .finished(let request, let streamed):
                state.finished = (request, streamed)
            }
        }
        // Store the state before any write starts: a write may complete (or
        // fail) at once and update it.
        streaming = state
        guard case .success(let spool) = state.spool else { return emitIfComplete(context: context) }
        for write in writes {
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundContext = NIOLoopBound(context, eventLoop: context.eventLoop)
            threadPool.runIfActive(eventLoop: context.eventLoop) { try spool.write(write.bytes, at: write.offset) }
                .whenComplete { result in handler.value.spoolWriteCompleted(context: boundContext.value, result) }
        }
        emitIfComplete(context: context)
    }

    private func spoolWriteCompleted(context: ChannelHandlerContext, _ result: Result<Void, Error>) {
        guard !failed, streaming != nil else { return }
        streaming!.writesInFlight -= 1
        do {
            do {
                try result.get()
            } catch let failure as FileIOError {
                // The request is drained and answered with the failure; the connection stays.
                if case .success = streaming!.spool { streaming!.spool = .failure(failure) }
            }
            emitIfComplete(context: context)
            if streaming == nil {
                // The request (and any whole ones received behind it) came out of
                // a write completion, not a socket read: deliver them now.
                try decodeCumulation(context: context)
                context.fireChannelReadComplete()
            }
        } catch {
            return fail(context: context, error)
        }
        resumeReadsIfHeld(context: context)
    }

    /// Hands the streamed request on once it is parsed and all of it is in the spool.
    private func emitIfComplete(context: ChannelHandlerContext) {
        guard let state = streaming, state.writesInFlight == 0, state.parser.isFinished,
              let header = state.header, let finished = state.finished else { return }
        streaming = nil
        let spooled = zip(finished.streamed, state.ranges).map { position, range in
            SpooledRecords(topic: position.topic, partition: position.partition, spool: state.spool, range: range)
        }
        context.fireChannelRead(wrapInboundOut(.spooledProduce(header, finished.request, spooled: spooled)))
    }

    private func fail(context: ChannelHandlerContext, _ error: Error) {
        guard !failed else { return }
        failed = true
        streaming = nil
        lease = nil
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
