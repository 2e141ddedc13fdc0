import FileIO
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// A connection as a listener accepts it: its channel and the gate that
/// opens once the client has logged in.
struct AcceptedConnection: Sendable {
    let connection: NIOAsyncChannel<KafkaInboundRequest, Never>
    let gate: AuthenticationGate
}

/// A bound listening socket and what its connections need to know.
struct BoundListener: Sendable {
    let channel: NIOAsyncChannel<AcceptedConnection, Never>
    let endpoint: ListenerEndpoint
    let port: Int
}

/// Binds a listener and sets up each connection it accepts: the connection
/// limits first (a connection over `max.connections` or
/// `max.connections.per.ip` is closed at once), then TLS on SSL and SASL_SSL
/// listeners, the request decoder, the idle timeout
/// (`connections.max.idle.ms`) and the authentication deadline
/// (`connections.authentication.timeout.ms`): a connection that has not
/// logged in (or, without SASL, sent its first request) by then is closed.
struct ListenerBinder: Sendable {
    let config: BrokerConfig
    let limits: KafkaRequestDecoder.Limits
    let memory: RequestMemoryPool
    let limiter: ConnectionLimiter
    let fileSystem: any FileSystemIO
    let threadPool: NIOThreadPool
    let logger: Logger

    func bind(_ listener: BrokerListener, tls: NIOSSLContext?) async throws -> BoundListener {
        let securityProtocol = config.securityProtocol(of: listener)
        let spoolDirectory = config.dataDirectory + "/.spool"
        let (limits, memory, limiter, fileSystem, threadPool, logger) = (limits, memory, limiter, fileSystem, threadPool, logger)
        let idleTimeout = TimeAmount.milliseconds(config.security.connectionsMaxIdleMs)
        let authenticationTimeout = TimeAmount.milliseconds(config.security.authenticationTimeoutMs)
        let channel: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: listener.host, port: listener.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let host = channel.remoteAddress?.ipAddress ?? "unknown"
                        if let refusal = limiter.admit(host: host) {
                            logger.warning("connection refused", metadata: ["peer": "\(host)", "reason": "\(refusal)"])
                            channel.close(promise: nil)
                            throw ConnectionRefused(reason: refusal)
                        }
                        channel.closeFuture.whenComplete { _ in limiter.release(host: host) }
                        let gate = AuthenticationGate()
                        let deadline = channel.eventLoop.scheduleTask(in: authenticationTimeout) {
                            guard !gate.isOpen else { return }
                            logger.info("closing connection", metadata: [
                                "peer": "\(host)", "reason": "not authenticated within connections.authentication.timeout.ms",
                            ])
                            channel.close(promise: nil)
                        }
                        channel.closeFuture.whenComplete { _ in deadline.cancel() }
                        let pipeline = channel.pipeline.syncOperations
                        if let tls {
                            try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                            try pipeline.addHandler(FileRegionReader())
                        }
                        try pipeline.addHandler(IdleStateHandler(allTimeout: idleTimeout))
                        try pipeline.addHandler(IdleConnectionCloser())
                        try pipeline.addHandler(KafkaRequestDecoder(
                            limits: limits, spoolDirectory: spoolDirectory, fileSystem: fileSystem, threadPool: threadPool, memory: memory,
                            authentication: securityProtocol.usesSASL ? gate : nil))
                        let connection = try NIOAsyncChannel<KafkaInboundRequest, Never>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
                        return AcceptedConnection(connection: connection, gate: gate)
                    }
                }
        } catch {
            throw BrokerConfigError("cannot listen on \(listener.name)://\(listener.host):\(listener.port): \(error)")
        }
        guard let port = channel.channel.localAddress?.port else {
            throw BrokerConfigError("the listening socket on \(listener.host):\(listener.port) has no port")
        }
        let advertised = config.advertisedListeners.first { $0.name == listener.name }
        let endpoint = ListenerEndpoint(
            listener: listener, securityProtocol: securityProtocol, advertisedHost: advertised?.host ?? listener.host,
            advertisedPort: Int32(advertised?.port ?? port), tls: tls)
        return BoundListener(channel: channel, endpoint: endpoint, port: port)
    }
}

/// Why an accepted connection was closed at once.
struct ConnectionRefused: Error, CustomStringConvertible {
    let reason: String
    var description: String { "connection refused: \(reason)" }
}

/// Closes a connection on which nothing was read or written for `connections.max.idle.ms`.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
