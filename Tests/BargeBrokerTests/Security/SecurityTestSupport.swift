import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import KafkaSecurity
import KafkaWireClient
import NIOCore
import Testing

/// Broker settings from Kafka-style properties, on top of the test kit's.
func applying(_ properties: [(key: String, value: String)]) -> (inout BrokerConfig) -> Void {
    { config in
        do {
            config = try config.applying(properties)
        } catch {
            Issue.record("bad test properties: \(error)")
        }
    }
}

/// A SASL_PLAINTEXT broker with users `admin` (a super user), `alice` and
/// `bob`, whose passwords are their names reversed.
func withSaslBroker<Result: Sendable>(
    _ extra: [(key: String, value: String)] = [], authorizer: Bool = false, keepData: Bool = false,
    _ body: (EmbeddedBroker) async throws -> Result
) async throws -> Result {
    var properties: [(key: String, value: String)] = [
        ("listeners", "SASL_PLAINTEXT://127.0.0.1:0"), ("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"),
        ("connection.failed.authentication.delay.ms", "0"),
        // Logins on a loaded machine (debug builds, the whole suite at once) may take seconds.
        ("connections.authentication.timeout.ms", "60000"),
    ]
    if authorizer {
        properties += [("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer"), ("super.users", "User:admin")]
    }
    return try await withEmbeddedBroker(configure: { config in
        applying(properties + extra)(&config)
        for user in ["admin", "alice", "bob"] {
            do {
                try ScramUsers.setPassword(user: user, password: password(of: user), dataDirectory: config.dataDirectory)
            } catch {
                Issue.record("cannot add user \(user): \(error)")
            }
        }
    }, keepData: keepData, body)
}

/// The test users' passwords.
func password(of user: String) -> String { String(user.reversed()) }

extension KafkaTestClient {
    /// SaslHandshake v1.
    func saslHandshake(_ mechanism: String) async throws -> SaslHandshakeResponse {
        var request = SaslHandshakeRequest()
        request.mechanism = mechanism
        return try await self.request(request, apiKey: .saslHandshake, version: 1, as: SaslHandshakeResponse.self)
    }

    /// SaslAuthenticate v2 with these bytes.
    func saslAuthenticate(_ bytes: [UInt8]) async throws -> SaslAuthenticateResponse {
        var request = SaslAuthenticateRequest()
        request.authBytes = ByteBuffer(bytes: bytes)
        return try await self.request(request, apiKey: .saslAuthenticate, version: 2, as: SaslAuthenticateResponse.self)
    }

    /// Logs in with SCRAM; the failed answer if the broker refused.
    @discardableResult
    func scramLogin(_ mechanism: ScramMechanism, user: String, password: String) async throws -> SaslAuthenticateResponse {
        let handshake = try await saslHandshake(mechanism.name)
        #expect(handshake.errorCode == 0)
        var exchange = ScramClientExchange(mechanism: mechanism, username: user, password: password)
        let first = try await saslAuthenticate(exchange.firstMessage())
        guard first.errorCode == 0 else { return first }
        let final = try await saslAuthenticate(try exchange.finalMessage(serverFirst: Array(first.authBytes.readableBytesView)))
        if final.errorCode == 0 { try exchange.verify(serverFinal: Array(final.authBytes.readableBytesView)) }
        return final
    }

    /// Logs in with PLAIN.
    @discardableResult
    func plainLogin(user: String, password: String) async throws -> SaslAuthenticateResponse {
        let handshake = try await saslHandshake("PLAIN")
        #expect(handshake.errorCode == 0)
        return try await saslAuthenticate(PlainClientMessage.encode(username: user, password: password))
    }

    /// A new connection to `port`, logged in as `user` with SCRAM-SHA-256.
    static func loggedIn(port: Int, as user: String) async throws -> KafkaTestClient {
        let client = try await connect(port: port)
        let answer = try await client.scramLogin(.sha256, user: user, password: password(of: user))
        #expect(answer.errorCode == 0, "login of \(user): \(answer.errorMessage ?? "")")
        return client
    }

    /// Metadata v12 for the named topics (nil: all), without creating any.
    func metadata(_ topics: [String]?) async throws -> MetadataResponse {
        var request = MetadataRequest()
        request.topics = topics?.map { name in
            var topic = MetadataRequest.MetadataRequestTopic()
            topic.name = name
            return topic
        }
        request.allowAutoTopicCreation = false
        return try await self.request(request, apiKey: .metadata, version: 12, as: MetadataResponse.self)
    }

    /// Whether the broker has closed this connection: the next read ends
    /// (or fails, when the close came before a write of ours).
    func isClosedByBroker() async throws -> Bool {
        do {
            return try await nextFrame() == nil
        } catch {
            return true
        }
    }
}

extension KafkaTestClient {
    /// Produces one record to partition 0 of `topic`; the partition's answer.
    func produceRecord(_ value: String, to topic: String) async throws -> ProduceResponse.PartitionProduceResponse {
        var builder = RecordBatchBuilder()
        builder.append(key: nil, value: ByteBuffer(string: value), headers: [], timestamp: 1_700_000_000_000)
        return try await produce(topic: topic, batch: builder.build())
    }

    /// Fetches partition 0 of `topic` from offset 0 without waiting; the partition's answer.
    func fetchPartition(_ topic: String) async throws -> FetchResponse.PartitionData {
        try await fetch(topic: topic, offset: 0)
    }

    /// CreateAcls v3 of these bindings; each one's error code.
    func createAcls(_ bindings: [AclBinding]) async throws -> [Int16] {
        var request = CreateAclsRequest()
        request.creations = bindings.map(CreateAclsRequest.AclCreation.init)
        return try await self.request(request, apiKey: .createAcls, version: 3, as: CreateAclsResponse.self).results.map(\.errorCode)
    }
}

/// An ACL for a test: ALLOW by default, any host.
func acl(
    _ principal: String, _ operation: AclOperation, _ type: AclResourceType, _ name: String,
    pattern: AclPatternType = .literal, permission: AclPermissionType = .allow
) -> AclBinding {
    AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: "*", operation: operation,
               permission: permission)
}
