import CRdKafka
@testable import RdKafka
import Testing

@Suite("Typed configuration and errors")
struct ConfigurationTests {
    func dictionary(_ properties: [(String, String)]) -> [String: String] {
        Dictionary(properties, uniquingKeysWith: { _, last in last })
    }

    @Test("producer settings map to librdkafka's names; pass-through properties come last and win")
    func producerProperties() {
        var settings = KafkaProducerConfiguration(bootstrapServers: ["a:1", "b:2"])
        settings.acks = .leader
        settings.compression = .zstd
        settings.linger = .milliseconds(20)
        settings.enableIdempotence = true
        settings.connection.statisticsInterval = .seconds(2)
        settings.connection.sasl = KafkaSASLCredentials(mechanism: "SCRAM-SHA-512", username: "u", password: "p")
        settings.connection.securityProtocol = .saslSSL
        settings.connection.additionalProperties = ["linger.ms": "50", "ssl.ca.location": "/etc/ca.pem"]
        let properties = settings.properties
        let values = dictionary(properties)
        #expect(values["bootstrap.servers"] == "a:1,b:2")
        #expect(values["acks"] == "1")
        #expect(values["compression.codec"] == "zstd")
        #expect(values["enable.idempotence"] == "true")
        #expect(values["statistics.interval.ms"] == "2000")
        #expect(values["security.protocol"] == "sasl_ssl")
        #expect(values["sasl.mechanism"] == "SCRAM-SHA-512")
        #expect(values["ssl.ca.location"] == "/etc/ca.pem")
        // Applied in order, so the pass-through value wins.
        #expect(values["linger.ms"] == "50")
        #expect(properties.last { $0.0 == "linger.ms" }?.1 == "50")
    }

    @Test("consumer settings: librdkafka's own offset store is always off")
    func consumerProperties() {
        var settings = KafkaConsumerConfiguration(bootstrapServers: ["a:1"], groupID: "g")
        settings.assignmentStrategies = [.cooperativeSticky]
        settings.autoOffsetReset = .earliest
        settings.groupInstanceID = "instance-1"
        settings.maxPollInterval = .seconds(10)
        let values = dictionary(settings.properties)
        #expect(values["group.id"] == "g")
        #expect(values["group.instance.id"] == "instance-1")
        #expect(values["partition.assignment.strategy"] == "cooperative-sticky")
        #expect(values["auto.offset.reset"] == "earliest")
        #expect(values["enable.auto.offset.store"] == "false")
        #expect(values["max.poll.interval.ms"] == "10000")
        #expect(KafkaConsumerConfiguration(bootstrapServers: ["a:1"]).properties.contains { $0.0 == "group.id" } == false)
    }

    @Test("durations become whole milliseconds")
    func milliseconds() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(2999).milliseconds == 2)
        #expect(Duration.seconds(300).milliseconds == 300_000)
    }

    @Test("errors carry librdkafka's name and whether to retry")
    func errors() {
        let timeout = KafkaClientError(RD_KAFKA_RESP_ERR__TIMED_OUT)
        #expect(timeout.kind == .timedOut)
        #expect(timeout.name == "_TIMED_OUT")
        #expect(timeout.isRetriable)
        #expect(!timeout.isFatal)
        let denied = KafkaClientError(RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, message: "produce to t")
        #expect(denied.name == "TOPIC_AUTHORIZATION_FAILED")
        #expect(!denied.isRetriable)
        #expect(denied.message.hasPrefix("produce to t: "))
        #expect(denied.description.contains("TOPIC_AUTHORIZATION_FAILED (29)"))
        #expect(KafkaClientError(RD_KAFKA_RESP_ERR__FATAL).isFatal)
        #expect(KafkaClientError(RD_KAFKA_RESP_ERR_NOT_COORDINATOR).isRetriable)
    }

    @Test("the loaded librdkafka is new enough and reports its version")
    func libraryVersion() throws {
        try LibrdkafkaVersion.check()
        #expect(LibrdkafkaVersion.loaded >= LibrdkafkaVersion.minimum)
        #expect(LibrdkafkaVersion.loadedString.split(separator: ".").count >= 3)
    }
}
