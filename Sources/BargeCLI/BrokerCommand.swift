import ArgumentParser
import BargeBroker
import Foundation
import Logging
import ServiceLifecycle

/// `barge broker`: runs the embedded Kafka-compatible broker.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the embedded Kafka-compatible broker.",
        discussion: """
            Settings use Kafka's broker property names, from a properties file (--config) \
            and --set flags, later ones winning: e.g. --set message.max.bytes=209715200 \
            --set socket.request.max.bytes=209715200 --set num.partitions=3.
            """
    )

    @Option(name: .long, help: "Address to listen on, HOST:PORT (port 0 picks a free one).")
    var listen: String = "127.0.0.1:9092"

    @Option(name: .long, help: "Advertised address for clients, HOST:PORT (default: the listening address).")
    var advertise: String?

    @Option(name: .long, help: "Directory for topics and logs.")
    var dataDir: String = "./.barge/data"

    @Option(name: .long, help: "A Kafka-style server.properties file.")
    var config: String?

    @Option(name: .long, help: "A broker property, KEY=VALUE (repeatable).")
    var set: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        var properties: [(key: String, value: String)] = [("listeners", listen), ("log.dirs", dataDir)]
        if let advertise { properties.append(("advertised.listeners", advertise)) }
        if let config {
            guard let text = try TextFile.read(config, what: "--config") else {
                throw ValidationError("cannot read --config \(config): it does not exist")
            }
            properties += try BrokerConfig.parseProperties(text)
        }
        for assignment in set {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw ValidationError("--set takes KEY=VALUE, not '\(assignment)'")
            }
            properties.append((String(assignment[..<equals]), String(assignment[assignment.index(after: equals)...])))
        }
        let brokerConfig: BrokerConfig
        do { brokerConfig = try BrokerConfig().applying(properties) } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "barge.broker")
        logger.logLevel = logLevel
        let broker = BrokerService(config: brokerConfig, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: broker)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
