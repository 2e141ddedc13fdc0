import KafkaProtocol
import KafkaSecurity
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Serves one client connection: requests are handled one at a time, in
/// order, as Kafka does, and each response is written before the next
/// request is read, so a client has at most one request being served and
/// one decoded behind it, however many it pipelines. File regions are sent
/// with sendfile on a plaintext connection and read a piece at a time by
/// ``FileRegionReader`` on a TLS one; their handles are closed once written.
struct ConnectionHandler: Sendable {
    let dispatcher: RequestDispatcher
    let logger: Logger

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
                        try await Self.write(encoder, to: channel)
                    case .respondThenClose(let encoder, let reason):
                        try await Self.write(encoder, to: channel)
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

    /// A response in the order it goes out: runs of its bytes and the file regions spliced between them.
    enum Part {
        case bytes(ByteBuffer)
        case region(FileRegion)
    }

    static func parts(of encoder: KafkaEncoder) -> [Part] {
        var bytes = encoder.buffer
        var position = 0
        var parts: [Part] = []
        for splice in encoder.splices {
            if splice.offset > position, let slice = bytes.readSlice(length: splice.offset - position) {
                parts.append(.bytes(slice))
            }
            position = splice.offset
            parts.append(.region(splice.region))
        }
        parts.append(.bytes(bytes))
        return parts
    }

    /// Writes a response: its bytes with the file regions spliced in where
    /// the encoder put them, in one hop to the event loop. Returns when all
    /// of it has been written; each region's handle is closed once it is.
    static func write(_ encoder: KafkaEncoder, to channel: Channel) async throws {
        try await channel.eventLoop.flatSubmit {
            var last = channel.eventLoop.makeSucceededVoidFuture()
            for part in parts(of: encoder) {
                switch part {
                case .bytes(let bytes):
                    last = channel.write(IOData.byteBuffer(bytes))
                case .region(let region):
                    let handle = region.fileHandle
                    last = channel.write(IOData.fileRegion(region))
                    last.whenComplete { _ in try? handle.close() }
                }
            }
            channel.flush()
            // Writes complete in order: the last one's result covers them all.
            return last
        }.get()
    }
}
