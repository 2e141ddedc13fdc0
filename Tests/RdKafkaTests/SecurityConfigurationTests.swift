import CRdKafka
@testable import RdKafka
import Testing

@Suite("Security settings: TLS and SASL properties, secrets kept out of messages")
struct SecurityConfigurationTests {
    func dictionary(_ properties: [(String, String)]) -> [String: String] {
        Dictionary(properties, uniquingKeysWith: { _, last in last })
    }

    @Test("TLS settings become librdkafka's ssl.* properties; only those set, besides the host name check")
    func tlsProperties() {
        var connection = KafkaConnectionConfiguration(bootstrapServers: ["b:9093"])
        #expect(dictionary(connection.properties(with: [])).filter { $0.key.hasPrefix("ssl.") } == ["ssl.endpoint.identification.algorithm": "https"])
        connection.securityProtocol = .ssl
        connection.tls = KafkaTLSSettings(caLocation: "/etc/ca.pem", certificateLocation: "/etc/client.pem", keyLocation: "/etc/client.key",
                                          keyPassword: "key-secret", endpointIdentification: .none)
        let values = dictionary(connection.properties(with: []))
        #expect(values["security.protocol"] == "ssl")
        #expect(values["ssl.ca.location"] == "/etc/ca.pem")
        #expect(values["ssl.certificate.location"] == "/etc/client.pem")
        #expect(values["ssl.key.location"] == "/etc/client.key")
        #expect(values["ssl.key.password"] == "key-secret")
        #expect(values["ssl.endpoint.identification.algorithm"] == "none")
    }

    @Test("producers and consumers carry the connection's TLS and SASL settings")
    func clientProperties() {
        var producer = KafkaProducerConfiguration(bootstrapServers: ["b:9093"])
        producer.connection.securityProtocol = .saslSSL
        producer.connection.sasl = KafkaSASLCredentials(mechanism: "SCRAM-SHA-512", username: "alice", password: "pw")
        producer.connection.tls.caLocation = "/etc/ca.pem"
        var consumer = KafkaConsumerConfiguration(bootstrapServers: ["b:9093"], groupID: "g")
        consumer.connection = producer.connection
        for values in [dictionary(producer.properties), dictionary(consumer.properties)] {
            #expect(values["security.protocol"] == "sasl_ssl")
            #expect(values["sasl.mechanism"] == "SCRAM-SHA-512")
            #expect(values["sasl.username"] == "alice")
            #expect(values["sasl.password"] == "pw")
            #expect(values["ssl.ca.location"] == "/etc/ca.pem")
        }
    }

    @Test("security protocols by Kafka's names, case-insensitive")
    func protocolNames() {
        #expect(KafkaSecurityProtocol(name: "SASL_SSL") == .saslSSL)
        #expect(KafkaSecurityProtocol(name: "sasl_plaintext") == .saslPlaintext)
        #expect(KafkaSecurityProtocol(name: "Ssl") == .ssl)
        #expect(KafkaSecurityProtocol(name: "PLAINTEXT") == .plaintext)
        #expect(KafkaSecurityProtocol(name: "tls") == nil)
        #expect(KafkaSecurityProtocol.saslSSL.usesTLS && KafkaSecurityProtocol.saslSSL.usesSASL)
        #expect(!KafkaSecurityProtocol.ssl.usesSASL && !KafkaSecurityProtocol.saslPlaintext.usesTLS)
        #expect("\(KafkaSecurityProtocol.saslSSL)" == "SASL_SSL")
        #expect(KafkaTLSSettings.EndpointIdentification(name: "HTTPS") == .https)
        #expect(KafkaTLSSettings.EndpointIdentification(name: "none") == KafkaTLSSettings.EndpointIdentification.none)
        #expect(KafkaTLSSettings.EndpointIdentification(name: "ldap") == nil)
    }

    @Test("descriptions, debug descriptions and dumps never show a password")
    func redactedDescriptions() {
        var connection = KafkaConnectionConfiguration(bootstrapServers: ["b:9093"])
        connection.sasl = KafkaSASLCredentials(mechanism: "PLAIN", username: "alice", password: "sasl-secret")
        connection.tls.keyPassword = "key-secret"
        connection.additionalProperties = ["ssl.keystore.password": "store-secret"]
        var producer = KafkaProducerConfiguration(bootstrapServers: ["b:9093"])
        producer.connection = connection
        var dumped = ""
        dump(connection.sasl, to: &dumped)
        dump(connection.tls, to: &dumped)
        let texts = ["\(connection)", String(reflecting: connection), "\(producer)", String(reflecting: producer),
                     "\(connection.sasl!)", String(reflecting: connection.tls), dumped]
        for text in texts {
            for secret in ["sasl-secret", "key-secret", "store-secret"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        #expect("\(connection)".contains("sasl.username=alice"))
        #expect("\(connection)".contains("sasl.password=<redacted>"))
    }

    @Test("a rejected secret property is named without its value")
    func rejectedSecret() {
        let message = RDKafkaHandle.rejection(name: "sasl.password", value: "hunter2", reason: "Invalid value \"hunter2\"")
        #expect(message == "sasl.password=<redacted>: Invalid value \"<redacted>\"")
        #expect(RDKafkaHandle.rejection(name: "acks", value: "7", reason: "Invalid value") == "acks=7: Invalid value")
    }

    @Test("a client that cannot load its TLS key fails with librdkafka's reason and without the key's password")
    func unloadableKey() {
        var connection = KafkaConnectionConfiguration(bootstrapServers: ["127.0.0.1:1"])
        connection.securityProtocol = .ssl
        connection.tls = KafkaTLSSettings(certificateLocation: "/nonexistent/client.pem", keyLocation: "/nonexistent/client.key",
                                          keyPassword: "key-secret")
        #expect {
            try KafkaAdminClient(configuration: connection)
        } throws: { error in
            guard let error = error as? KafkaClientError else { return false }
            return error.kind == .invalidConfiguration && !"\(error)".contains("key-secret") && "\(error)".contains("ssl")
        }
    }

    @Test("authentication and authorization failures by librdkafka's codes")
    func securityFailures() {
        for code in [RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR__SSL, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
                     RD_KAFKA_RESP_ERR_UNSUPPORTED_SASL_MECHANISM] {
            let error = KafkaClientError(code)
            #expect(error.isAuthenticationFailure && !error.isAuthorizationFailure, "\(error.name)")
        }
        for code in [RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED,
                     RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED] {
            let error = KafkaClientError(code)
            #expect(error.isAuthorizationFailure && !error.isAuthenticationFailure, "\(error.name)")
        }
        #expect(KafkaClientError(RD_KAFKA_RESP_ERR__AUTHENTICATION).name == "_AUTHENTICATION")
        #expect(KafkaClientError(RD_KAFKA_RESP_ERR__SSL).name == "_SSL")
        #expect(!KafkaClientError(RD_KAFKA_RESP_ERR__TRANSPORT).isAuthenticationFailure)
        let refusedCertificate = KafkaClientError(RD_KAFKA_RESP_ERR__TRANSPORT, message: "ssl://b:9093/bootstrap: Receive failed: "
            + "error:0A00045C:SSL routines::tlsv13 alert certificate required: SSL alert number 116 (after 0ms in state APIVERSION_QUERY)")
        #expect(refusedCertificate.isAuthenticationFailure)
    }
}
