import BargeBroker
import Testing

@Suite("Listener, TLS and SASL settings by Kafka's names")
struct SecurityConfigTests {
    @Test("listeners with names, the protocol map and advertised listeners")
    func listeners() throws {
        let config = try BrokerConfig().applying([
            ("listeners", "INTERNAL://127.0.0.1:9092,EXTERNAL://0.0.0.0:9094"),
            ("listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:SASL_PLAINTEXT"),
            ("advertised.listeners", "EXTERNAL://broker.example.com:9094"),
        ])
        #expect(config.listeners.map(\.name) == ["INTERNAL", "EXTERNAL"])
        #expect(config.listeners.map(\.port) == [9092, 9094])
        #expect(config.securityProtocol(of: config.listeners[1]) == .saslPlaintext)
        #expect(config.advertisedListeners.first?.host == "broker.example.com")
        #expect(try BrokerConfig().applying([("listeners", "127.0.0.1:19092")]).listeners
            == [BrokerListener(name: "PLAINTEXT", host: "127.0.0.1", port: 19092)])
    }

    @Test("bad listener and security settings are refused with the reason", arguments: [
        [("listeners", "CUSTOM://127.0.0.1:1")],
        [("listeners", "PLAINTEXT://127.0.0.1:1,PLAINTEXT://127.0.0.1:2")],
        [("listeners", "PLAINTEXT://127.0.0.1:1,SSL://127.0.0.1:1")],
        [("listeners", "PLAINTEXT://127.0.0.1:x")],
        [("advertised.listeners", "SSL://example.com:9093")],
        [("listeners", "SSL://127.0.0.1:9093")],
        [("listener.security.protocol.map", "A:TLS")],
        [("ssl.client.auth", "maybe")],
        [("ssl.enabled.protocols", "TLSv1.1")],
        [("ssl.keystore.type", "JKS")],
        [("sasl.enabled.mechanisms", "GSSAPI")],
        [("listeners", "SASL_SSL://127.0.0.1:1"), ("sasl.enabled.mechanisms", ""), ("ssl.keystore.location", "/k.pem")],
        [("authorizer.class.name", "com.example.Custom")],
        [("super.users", "admin")],
        [("connections.max.reauth.ms", "3600000")],
        [("max.connections", "0")],
    ] as [[(String, String)]])
    func refused(properties: [(String, String)]) {
        #expect(throws: BrokerConfigError.self) { try BrokerConfig().applying(properties.map { (key: $0.0, value: $0.1) }) }
    }

    @Test("a TLS listener whose key file does not exist fails to start with a clear error")
    func missingKeystore() async throws {
        let config = try BrokerConfig().applying([
            ("listeners", "SSL://127.0.0.1:0"), ("ssl.keystore.location", "/nonexistent/broker.pem"), ("log.dirs", "/tmp/barge-unused"),
        ])
        await #expect(throws: BrokerConfigError.self) {
            _ = try await KafkaBrokerServer.start(config: config, logger: .init(label: "test"))
        }
    }
}
