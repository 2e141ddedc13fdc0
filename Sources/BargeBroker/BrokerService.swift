import Logging
import ServiceLifecycle

/// The broker as a ServiceLifecycle service: binds on `run()`, serves until
/// graceful shutdown (SIGTERM/SIGINT through a `ServiceGroup`) or
/// cancellation, then closes connections and flushes the logs.
public struct BrokerService: Service {
    private let config: BrokerConfig
    private let logger: Logger
    private let onListening: @Sendable (Int) -> Void

    /// - Parameter onListening: called with the bound port once the broker accepts connections.
    public init(config: BrokerConfig, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.config = config
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let server = try await KafkaBrokerServer.start(config: config, logger: logger)
        onListening(server.port)
        try await cancelWhenGracefulShutdown {
            try await server.run()
        }
    }
}

extension BrokerService: CustomStringConvertible {
    /// Its listeners and data directory: ServiceLifecycle logs services by
    /// description, which must not spell out the whole config.
    public var description: String {
        "BrokerService(listeners: \(config.listeners.map { "\($0.name)://\($0.host):\($0.port)" }.joined(separator: ",")), "
            + "data: \(config.dataDirectory))"
    }
}
