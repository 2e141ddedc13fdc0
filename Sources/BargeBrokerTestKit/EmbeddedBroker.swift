import BargeBroker
import FileIO
import Foundation
import Logging
import Metrics

/// An embedded broker for tests: a fresh data directory, a free port on
/// 127.0.0.1, stopped and removed when the body returns.
///
/// ```swift
/// try await withEmbeddedBroker { broker in
///     // connect to "127.0.0.1:\(broker.port)"
/// }
/// ```
public struct EmbeddedBroker: Sendable {
    /// The port of its first listener, on 127.0.0.1.
    public var port: Int { ports[0] }
    /// The port of each listener, in the order of `listeners`.
    public let ports: [Int]
    /// Its data directory.
    public let dataDirectory: String
    /// `host:port`, for client bootstrap settings.
    public var bootstrapServers: String { "127.0.0.1:\(port)" }
}

/// Runs `body` with a broker started on 127.0.0.1 and port 0 with
/// `configure` applied to its settings; stops the broker afterwards and
/// deletes its data directory unless `keepData` is set.
///
/// `fileSystem` holds the data directory: pass an `InMemoryFileSystem` to
/// make the broker's disk fill up or fail.
public func withEmbeddedBroker<Result: Sendable>(
    configure: (inout BrokerConfig) -> Void = { _ in },
    keepData: Bool = false,
    fileSystem: any FileSystemIO = PosixFileSystem(),
    logger: Logger = Logger(label: "barge.testkit", factory: { _ in SwiftLogNoOpLogHandler() }),
    metricsFactory: any MetricsFactory = MetricsSystem.factory,
    _ body: (EmbeddedBroker) async throws -> Result
) async throws -> Result {
    var config = BrokerConfig()
    config.listenHost = "127.0.0.1"
    config.listenPort = 0
    config.dataDirectory = NSTemporaryDirectory() + "barge-broker-" + UUID().uuidString
    configure(&config)
    let directory = config.dataDirectory
    defer { if !keepData { try? fileSystem.removeTree(directory) } }
    let server = try await KafkaBrokerServer.start(config: config, logger: logger, fileSystem: fileSystem, metricsFactory: metricsFactory)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        defer { group.cancelAll() }
        let result = try await body(EmbeddedBroker(ports: server.ports, dataDirectory: directory))
        group.cancelAll()
        try await group.waitForAll()
        return result
    }
}
