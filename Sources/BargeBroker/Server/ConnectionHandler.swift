import KafkaProtocol
import KafkaSecurity
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Serves one client connection: requests are handled one at a time, in
/// order, as Kafka does, and each response is written before the next
/// request is read, so a client has at most one request being served and
/// one decoded behind it, however many it pipelines. On a plaintext
/// connection file regions are sent with sendfile; on a TLS connection,
/// where the kernel cannot encrypt, they are read in `tlsChunkSize` pieces
/// and each piece is written before the next is read, so a large record
/// costs one piece of memory. Region handles are closed once written.
struct ConnectionHandler: Sendable {
    let dispatcher: RequestDispatcher
    let fileIO: NonBlockingFileIO
    let logger: Logger

    /// The piece of a file region read and encrypted at a time on TLS connections.
    static let tlsChunkSize = 256 * 1024

    func serve(_ connection: NIOAsyncChannel<KafkaInboundRequest, Never>, endpoint: ListenerEndpoint, gate: AuthenticationGate) async {
        let channel = connection.channel
        let peer = channel.remoteAddress.map { "\($0)" } ?? "unknown"
        var session = ConnectionSession(endpoint: endpoint, clientAddress: channel.remoteAddress?.ipAddress ?? "unknown", gate: gate)
        do {
            try await connection.executeThenClose { inbound in
                for try await request in inbound {
                    if case .notRequired = session.login, session.principal == nil {
                        session.principal = await Self.principalWithoutSASL(channel: channel, endpoint: endpoint)
                        gate.open()
                    }
                    switch await dispatcher.dispatch(request, session: &session) {
                    case .respond(let encoder):
                        try await write(encoder, to: channel, tls: endpoint.tls != nil)
                    case .respondThenClose(let encoder, let reason):
                        try await write(encoder, to: channel, tls: endpoint.tls != nil)
                        logger.info("closing connection", metadata: ["peer": "\(peer)", "reason": "\(reason)"])
                        return
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
        } catch let error as NIOSSLError {
            logger.info("TLS connection failed", metadata: ["peer": "\(peer)", "error": "\(error)"])
        } catch {
            logger.debug("connection ended", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// Who a client is on a listener without SASL: the subject of its
    /// certificate on a TLS listener that asked for one (Kafka's DEFAULT
    /// mapping, `User:CN=writer,O=Barge`), else `User:ANONYMOUS`.
    private static func principalWithoutSASL(channel: Channel, endpoint: ListenerEndpoint) async -> KafkaPrincipal {
        guard endpoint.tls != nil, let certificate = try? await channel.nioSSL_peerCertificate().get(),
              let name = BrokerTLS.principalName(of: certificate) else { return .anonymous }
        return .user(name)
    }

    private func write(_ encoder: KafkaEncoder, to channel: Channel, tls: Bool) async throws {
        if tls && !encoder.splices.isEmpty {
            try await Self.writeReadingRegions(encoder, to: channel, fileIO: fileIO)
        } else {
            try await Self.write(encoder, to: channel)
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

    /// Writes a response whose file regions cannot go by sendfile (TLS): each
    /// region is read a piece at a time off the event loop, and the next
    /// piece is read once the last one has been written.
    static func writeReadingRegions(_ encoder: KafkaEncoder, to channel: Channel, fileIO: NonBlockingFileIO) async throws {
        defer { for splice in encoder.splices { try? splice.region.fileHandle.close() } }
        var bytes = encoder.buffer
        var position = 0
        for splice in encoder.splices {
            if splice.offset > position, let slice = bytes.readSlice(length: splice.offset - position) {
                channel.write(IOData.byteBuffer(slice), promise: nil)
            }
            position = splice.offset
            try await fileIO.readChunked(
                fileRegion: splice.region, chunkSize: tlsChunkSize, allocator: channel.allocator, eventLoop: channel.eventLoop
            ) { piece in
                channel.writeAndFlush(IOData.byteBuffer(piece))
            }.get()
        }
        try await channel.writeAndFlush(IOData.byteBuffer(bytes))
    }
}
