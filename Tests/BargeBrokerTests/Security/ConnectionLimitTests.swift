import BargeBroker
import BargeBrokerTestKit
import KafkaProtocol
import NIOCore
import Testing

@Suite("Limits that keep one client from hurting the rest", .timeLimit(.minutes(2)))
struct ConnectionLimitTests {
    @Test("max.connections.per.ip: a connection over the bound is closed at once; the others are served, and a freed slot is reused")
    func perAddress() async throws {
        try await withEmbeddedBroker(configure: applying([("max.connections.per.ip", "2")])) { broker in
            let first = try await KafkaTestClient.connect(port: broker.port)
            let second = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await first.createTopic("one").errorCode == 0)
            #expect(try await second.createTopic("two").errorCode == 0)
            let third = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await third.isClosedByBroker())
            #expect(try await first.createTopic("still").errorCode == 0)
            await second.close()
            // The slot frees once the broker has seen the close: retry until it has.
            var served = false
            for _ in 0..<200 where !served {
                let again = try await KafkaTestClient.connect(port: broker.port)
                served = (try? await again.createTopic("again-\(UInt32.random(in: 0...UInt32.max))").errorCode) == 0
                await again.close()
                if !served { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(served)
            await first.close()
        }
    }

    @Test("max.connections bounds all connections together")
    func total() async throws {
        try await withEmbeddedBroker(configure: applying([("max.connections", "1")])) { broker in
            let first = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await first.createTopic("only").errorCode == 0)
            let second = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await second.isClosedByBroker())
            #expect(try await first.createTopic("only-still").errorCode == 0)
            await first.close()
        }
    }

    @Test("a client that pipelines many requests without reading gets them served one at a time; others are not held up")
    func pipelining() async throws {
        try await withEmbeddedBroker { broker in
            let greedy = try await KafkaTestClient.connect(port: broker.port)
            var frames = ByteBuffer()
            for index in 0..<500 {
                let header = KafkaRequestHeader(apiKey: .apiVersions, apiVersion: 3, correlationId: Int32(index), clientId: "greedy")
                var frame = try KafkaFrame.request(ApiVersionsRequest(), header: header)
                frames.writeBuffer(&frame)
            }
            try await greedy.send(raw: frames)
            let polite = try await KafkaTestClient.connect(port: broker.port)
            #expect(try await polite.createTopic("polite").errorCode == 0)
            var answered = 0
            while answered < 500, let frame = try await greedy.nextFrame() {
                let response = try KafkaFrame.decodeResponse(ApiVersionsResponse.self, from: frame, apiKey: .apiVersions, version: 3)
                #expect(response.correlationId == Int32(answered))
                answered += 1
            }
            #expect(answered == 500)
            await greedy.close()
            await polite.close()
        }
    }

    /// 100 here, beside the rest of the suite running in parallel; test_security.py holds 500 with the broker to itself.
    @Test("connections that never finish a request are closed by the authentication deadline while others are served")
    func slowloris() async throws {
        try await withSaslBroker([("connections.authentication.timeout.ms", "1000")]) { broker in
            var idle: [KafkaTestClient] = []
            for _ in 0..<100 {
                let client = try await KafkaTestClient.connect(port: broker.port)
                // Half a size prefix, never finished; on a slow machine the deadline may close it first.
                try? await client.send(raw: ByteBuffer(bytes: [0, 0]))
                idle.append(client)
            }
            let served = try await KafkaTestClient.loggedIn(port: broker.port, as: "alice")
            #expect(try await served.createTopic("through-the-crowd").errorCode == 0)
            for client in idle {
                #expect(try await client.isClosedByBroker())
            }
            await served.close()
        }
    }
}
