import KafkaProtocol
import NIOCore
import NIOPosix
import NIOSSL

/// One connection to a Kafka broker that sends request frames and reads
/// response frames with KafkaProtocol's codecs, one request at a time: for
/// the few requests a tool needs that librdkafka does not make (ListOffsets
/// v9 with tiered storage's special timestamps, DescribeLogDirs), and for
/// tests that drive the broker over the wire (raw bytes included).
public final class KafkaWireConnection: Sendable {
    private let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
    private let inbound: InboundBox
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    private init(channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>) {
        self.channel = channel
        self.inbound = InboundBox(channel.inbound.makeAsyncIterator())
        self.outbound = channel.outbound
    }

    /// Connects to `host:port` as `security` says; response frames may be up
    /// to `maximumFrameSize` bytes. With TLS or SASL the connection is ready
    /// when this returns: an ApiVersions request first, as Kafka's clients
    /// send it (which finishes the TLS handshake), then the SASL login. A
    /// refused certificate throws ``KafkaWireError/tlsHandshakeFailed(_:)``,
    /// a refused login ``KafkaWireError/authenticationFailed(_:)``.
    public static func connect(
        host: String, port: Int, security: KafkaWireSecurity = .plaintext, maximumFrameSize: Int = 512 * 1024 * 1024
    ) async throws -> KafkaWireConnection {
        let tlsContext = try await makeTLSContext(security.tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        // An IP address is no server name (SNI): the certificate is then checked against the peer's address.
                        let serverHostname = (try? SocketAddress(ipAddress: host, port: port)) == nil ? host : nil
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maximumFrameSize: maximumFrameSize)))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let connection = KafkaWireConnection(channel: channel)
        guard security.tls != nil || security.sasl != nil else { return connection }
        do {
            _ = try await connection.request(ApiVersionsRequest(), apiKey: .apiVersions, version: 0, correlationId: 0, as: ApiVersionsResponse.self)
            if let sasl = security.sasl { try await connection.authenticate(sasl) }
        } catch let error as NIOSSLError {
            await connection.close()
            throw KafkaWireError.tlsHandshakeFailed("\(error)")
        } catch let error as BoringSSLError {
            await connection.close()
            throw KafkaWireError.tlsHandshakeFailed("\(error)")
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// The TLS context of `tls`, made on NIO's thread pool (it reads the files).
    private static func makeTLSContext(_ tls: KafkaWireTLS?) async throws -> NIOSSLContext? {
        guard let tls else { return nil }
        return try await NIOThreadPool.singleton.runIfActive { try tls.makeContext() }
    }

    /// Sends raw bytes.
    public func send(raw bytes: ByteBuffer) async throws {
        try await outbound.write(bytes)
    }

    /// The next response frame's body (without its size), or nil if the broker closed the connection.
    public func nextFrame() async throws -> ByteBuffer? {
        try await inbound.next()
    }

    /// Sends a request and decodes its response.
    public func request<Request: KafkaMessage, Response: KafkaMessage>(
        _ request: Request, apiKey: KafkaApiKey, version: Int16, correlationId: Int32 = 1, clientId: String = "barge",
        as: Response.Type
    ) async throws -> Response {
        let header = KafkaRequestHeader(apiKey: apiKey, apiVersion: version, correlationId: correlationId, clientId: clientId)
        try await send(raw: try KafkaFrame.request(request, header: header))
        guard let frame = try await nextFrame() else { throw KafkaWireError.closed }
        let decoded = try KafkaFrame.decodeResponse(Response.self, from: frame, apiKey: apiKey, version: version)
        guard decoded.correlationId == correlationId else { throw KafkaWireError.wrongCorrelationId(decoded.correlationId) }
        return decoded.message
    }

    deinit {
        // NIO requires the writer finished before it goes: a connection dropped without close().
        outbound.finish()
    }

    /// Closes the connection (finishing its writer first, as NIO requires).
    public func close() async {
        outbound.finish()
        try? await channel.channel.close()
    }
}

/// What went wrong with a request on a `KafkaWireConnection`.
public enum KafkaWireError: Error, Sendable {
    /// The broker closed the connection before it answered.
    case closed
    /// The answer was for another request.
    case wrongCorrelationId(Int32)
    /// The TLS handshake failed: an untrusted or misnamed broker
    /// certificate, a client certificate the broker refused, or no TLS on
    /// the broker's side. The text is TLS's reason.
    case tlsHandshakeFailed(String)
    /// The broker refused the SASL login (wrong user or password, a
    /// mechanism it does not enable), or its SCRAM answer did not prove it
    /// knows the credential. The text says why.
    case authenticationFailed(String)
}

/// Holds the inbound iterator so that a Sendable connection can advance it from one task at a time.
private final class InboundBox: @unchecked Sendable {
    private var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    init(_ iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) { self.iterator = iterator }
    func next() async throws -> ByteBuffer? { try await iterator.next() }
}
