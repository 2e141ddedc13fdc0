import KafkaProtocol
import Logging
import NIOCore

/// Serves one client connection: requests are handled one at a time, in
/// order, as Kafka does, and each response is written before the next
/// request is read. File regions are sent with sendfile and their handles
/// closed once written.
struct ConnectionHandler: Sendable {
    let dispatcher: RequestDispatcher
    let logger: Logger

    func serve(_ connection: NIOAsyncChannel<KafkaInboundRequest, Never>) async {
        let channel = connection.channel
        let peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        let clientHost = "/" + (channel.remoteAddress?.ipAddress ?? "unknown")
        do {
            try await connection.executeThenClose { inbound in
                for try await request in inbound {
                    switch await dispatcher.dispatch(request, clientHost: clientHost) {
                    case .respond(let encoder):
                        try await Self.write(encoder, to: channel)
                    case .noResponse:
                        continue
                    case .stopping:
                        return
                    case .close(let reason):
                        logger.warning("closing connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
                        return
                    }
                }
            }
        } catch let error as KafkaProtocolError {
            logger.warning("closing connection", metadata: ["peer": "\(peer)", "reason": "\(error)"])
        } catch {
            logger.debug("connection ended", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// Writes a response: its bytes with the file regions spliced in where
    /// the encoder put them, in one hop to the event loop. Returns when all
    /// of it has been written; each region's handle is closed once it is.
    static func write(_ encoder: KafkaEncoder, to channel: Channel) async throws {
        try await channel.eventLoop.flatSubmit {
            var bytes = encoder.buffer
            var position = 0
            for splice in encoder.splices {
                if splice.offset > position, let slice = bytes.readSlice(length: splice.offset - position) {
                    channel.write(IOData.byteBuffer(slice), promise: nil)
                }
                position = splice.offset
                let handle = splice.region.fileHandle
                channel.write(IOData.fileRegion(splice.region)).whenComplete { _ in try? handle.close() }
            }
            // Writes complete in order: the last one's result covers them all.
            return channel.writeAndFlush(IOData.byteBuffer(bytes))
        }.get()
    }
}
