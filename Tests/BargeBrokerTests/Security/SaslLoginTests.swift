import BargeBroker
import BargeBrokerTestKit
import FileIO
import Foundation
import KafkaProtocol
import KafkaSecurity
import KafkaWireClient
import NIOCore
import Testing

@Suite("SASL logins on the broker", .timeLimit(.minutes(2)))
struct SaslLoginTests {
    @Test("SCRAM-SHA-256 and SCRAM-SHA-512 logins succeed and the connection is then served", arguments: ScramMechanism.allCases)
    func scramLogin(mechanism: ScramMechanism) async throws {
        try await withSaslBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            let answer = try await client.scramLogin(mechanism, user: "alice", password: "ecila")
            #expect(answer.errorCode == 0)
            #expect(try await client.createTopic("after-login").errorCode == 0)
            #expect(try await client.metadata(["after-login"]).topics.first?.errorCode == 0)
            await client.close()
        }
    }

    @Test("PLAIN logs in against the stored SCRAM credential")
    func plainLogin() async throws {
        try await withSaslBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await client.plainLogin(user: "bob", password: password(of: "bob")).errorCode == 0)
            #expect(try await client.createTopic("plain").errorCode == 0)
            await client.close()
        }
    }

    @Test("a wrong password and an unknown user get the same SASL_AUTHENTICATION_FAILED and a closed connection; others go on",
          arguments: ["SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"])
    func refusedLogins(mechanism: String) async throws {
        try await withSaslBroker { broker in
            var messages: [String?] = []
            for (user, password) in [("alice", "wrong"), ("mallory", "whatever")] {
                let client = try await KafkaTestClient.connect(port: broker.port)
                let answer = if let scram = ScramMechanism(name: mechanism) {
                    try await client.scramLogin(scram, user: user, password: password)
                } else {
                    try await client.plainLogin(user: user, password: password)
                }
                #expect(answer.errorCode == KafkaErrorCode.saslAuthenticationFailed.code)
                messages.append(answer.errorMessage)
                #expect(try await client.isClosedByBroker())
            }
            #expect(messages[0] == messages[1], "the answer must not tell unknown users from wrong passwords")
            let other = try await KafkaTestClient.loggedIn(port: broker.port, as: "bob")
            #expect(try await other.createTopic("still-served").errorCode == 0)
            await other.close()
        }
    }

    @Test("a mechanism that is not enabled is refused with the enabled ones listed, and the connection closes")
    func unsupportedMechanism() async throws {
        try await withSaslBroker([("sasl.enabled.mechanisms", "SCRAM-SHA-512")]) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            let answer = try await client.saslHandshake("PLAIN")
            #expect(answer.errorCode == KafkaErrorCode.unsupportedSaslMechanism.code)
            #expect(answer.mechanisms == ["SCRAM-SHA-512"])
            #expect(try await client.isClosedByBroker())
        }
    }

    @Test("nothing but ApiVersions and the SASL requests is served before the login: Metadata closes the connection")
    func nothingBeforeLogin() async throws {
        try await withSaslBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            let versions = try await client.request(ApiVersionsRequest(), apiKey: .apiVersions, version: 3, as: ApiVersionsResponse.self)
            #expect(versions.apiKeys.contains { $0.apiKey == KafkaApiKey.saslAuthenticate.rawValue })
            await #expect(throws: KafkaWireError.self) { _ = try await client.metadata(nil) }
            let produce = try await KafkaTestClient.connect(port: broker.port)
            await #expect(throws: KafkaWireError.self) {
                _ = try await produce.request(
                    ProduceRequest.single(topic: "sneaky", batch: ByteBuffer(bytes: [0, 1, 2])), apiKey: .produce, version: 9,
                    as: ProduceResponse.self)
            }
            let admin = try await KafkaTestClient.loggedIn(port: broker.port, as: "admin")
            #expect(try await admin.metadata(["sneaky"]).topics.first?.errorCode == KafkaErrorCode.unknownTopicOrPartition.code)
            await admin.close()
        }
    }

    @Test("a frame larger than sasl.server.max.receive.size before the login closes the connection before it is read")
    func oversizedFrameBeforeLogin() async throws {
        try await withSaslBroker([("sasl.server.max.receive.size", "4096")]) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            var frame = ByteBuffer()
            frame.writeInteger(Int32(64 * 1024 * 1024))
            frame.writeInteger(KafkaApiKey.saslAuthenticate.rawValue)
            try await client.send(raw: frame)
            #expect(try await client.isClosedByBroker())
            let other = try await KafkaTestClient.loggedIn(port: broker.port, as: "alice")
            await other.close()
        }
    }

    @Test("garbage, a half frame, and a second login attempt after success are refused; the broker serves others")
    func hostileBeforeLogin() async throws {
        try await withSaslBroker { broker in
            let garbage = try await KafkaTestClient.connect(port: broker.port)
            try await garbage.send(raw: ByteBuffer(bytes: [0, 0, 0, 12] + Array(repeating: UInt8(0xFF), count: 12)))
            #expect(try await garbage.isClosedByBroker())

            let again = try await KafkaTestClient.loggedIn(port: broker.port, as: "alice")
            let handshake = try await again.saslHandshake("SCRAM-SHA-256")
            #expect(handshake.errorCode == KafkaErrorCode.illegalSaslState.code)
            #expect(try await again.createTopic("served-after-illegal-state").errorCode == 0)
            await again.close()

            let early = try await KafkaTestClient.connect(port: broker.port)
            let authenticate = try await early.saslAuthenticate([1, 2, 3])
            #expect(authenticate.errorCode == KafkaErrorCode.illegalSaslState.code)
            #expect(try await early.isClosedByBroker())
        }
    }

    @Test("a connection that does not log in within connections.authentication.timeout.ms is closed")
    func authenticationDeadline() async throws {
        try await withSaslBroker([("connections.authentication.timeout.ms", "300")]) { broker in
            let idle = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await idle.isClosedByBroker())
            let slow = try await KafkaTestClient.connect(port: broker.port)
            // Chose a mechanism, never logged in (on a slow machine the deadline may even come first).
            _ = try? await slow.saslHandshake("SCRAM-SHA-256")
            #expect(try await slow.isClosedByBroker())
        }
    }

    @Test("SaslHandshake on a PLAINTEXT listener answers ILLEGAL_SASL_STATE and the connection stays open")
    func handshakeWithoutSasl() async throws {
        try await withEmbeddedBroker { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await client.saslHandshake("PLAIN").errorCode == KafkaErrorCode.illegalSaslState.code)
            #expect(try await client.createTopic("plaintext").errorCode == 0)
            await client.close()
        }
    }

    @Test("the credentials file holds salted keys, never a password")
    func noPasswordAtRest() async throws {
        let directory = NSTemporaryDirectory() + "barge-scram-" + UUID().uuidString
        defer { try? PosixFileSystem().removeTree(directory) }
        let secret = "correct horse battery staple"
        try ScramUsers.setPassword(user: "carol", password: secret, dataDirectory: directory)
        let file = try #require(try PosixFileSystem().readWholeFile(directory + "/__security/scram-credentials.json"))
        let text = String(decoding: file, as: UTF8.self)
        #expect(!text.contains(secret))
        #expect(text.contains("carol"))
        let users = try ScramUsers.list(dataDirectory: directory)
        #expect(users["carol"]?.map(\.0).sorted { $0.rawValue < $1.rawValue } == [.sha256, .sha512])
        #expect(try ScramUsers.delete(user: "carol", dataDirectory: directory))
        #expect(try ScramUsers.list(dataDirectory: directory).isEmpty)
    }
}
