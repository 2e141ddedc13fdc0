import Foundation
import Logging
import MetricsTestKit
import NIOConcurrencyHelpers
@testable import RdKafka
import ServiceLifecycle
import Testing

/// A log handler that keeps every message.
struct CapturingLogHandler: LogHandler {
    let lines: NIOLockedValueBox<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        lines.withLockedValue { $0.append((level, message.description, metadata ?? [:])) }
    }
}

@Suite("Logs, statistics and the service lifecycle", .timeLimit(.minutes(2)))
struct ObservabilityTests {
    @Test("statistics JSON becomes gauges, with the consumer lag summed over partitions")
    func parseStatistics() {
        let json = #"{"name":"p#1","msg_cnt":3,"msg_size":300,"tx":7,"rx_bytes":99,"topics":{"t":{"partitions":{"0":{"consumer_lag":5},"1":{"consumer_lag":-1},"2":{"consumer_lag":2}}}}}"#
        let values = Array(json.utf8).withUnsafeBytes { RDKafkaStatisticsReporter.parse($0) }
        #expect(values?["msg_cnt"] == 3)
        #expect(values?["msg_size"] == 300)
        #expect(values?["tx"] == 7)
        #expect(values?["rx_bytes"] == 99)
        #expect(values?["consumer_lag"] == 7)
        #expect(Array("not json".utf8).withUnsafeBytes { RDKafkaStatisticsReporter.parse($0) } == nil)
    }

    @Test("a producer's librdkafka statistics and logs reach swift-metrics and swift-log")
    func statisticsAndLogs() async throws {
        try await withTestBroker { broker in
            let metrics = TestMetrics()
            let lines = NIOLockedValueBox<[(level: Logger.Level, message: String, metadata: Logger.Metadata)]>([])
            let logger = Logger(label: "captured") { _ in CapturingLogHandler(lines: lines) }
            var settings = producerConfiguration(broker)
            settings.connection.clientID = "observed"
            settings.connection.statisticsInterval = .milliseconds(100)
            settings.connection.metricsFactory = metrics
            settings.connection.debugContexts = ["broker"]
            let producer = try KafkaProducer(configuration: settings, logger: logger)
            _ = try await producer.send(KafkaProducerMessage(topic: "observed", value: bytes("x")))
            try await eventually { (try? metrics.expectGauge("rdkafka.tx", [("client_id", "observed")]).lastValue ?? 0) ?? 0 > 0 }
            try await producer.close()
            let captured = lines.withLockedValue { $0 }
            #expect(captured.contains { $0.level == .debug && $0.metadata["librdkafka.facility"] != nil })
        }
    }

    @Test("a consumer run as a ServiceLifecycle service closes on graceful shutdown")
    func gracefulShutdown() async throws {
        try await withTestBroker { broker in
            try await createTopic(broker, "service")
            let rebalances = NIOLockedValueBox<[KafkaRebalanceEvent.Kind]>([])
            let consumer = try KafkaConsumer(
                configuration: consumerConfiguration(broker),
                rebalanceHandler: { event, _ in rebalances.withLockedValue { $0.append(event.kind) } },
                logger: testLogger("consumer")
            )
            try consumer.subscribe(topics: ["service"])
            let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [consumer], logger: testLogger("services")))
            let reader = Task { () -> Int in
                var count = 0
                for try await _ in consumer.messages { count += 1 }
                return count
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                // Shut down a consumer at work: a member of its group, with its partition.
                try await eventually { rebalances.withLockedValue { $0 }.contains(.assigned) }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            // The sequence ended because the consumer closed, leaving its group.
            #expect(try await reader.value == 0)
            // Given up at close: revoked, or lost when a loaded machine let the session expire first.
            let last = rebalances.withLockedValue { $0 }.last
            #expect(last == .revoked || last == .lost, "the last rebalance was \(String(describing: last))")
        }
    }
}
