import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import ObjectStore
import RdKafka
import ServiceLifecycle
import Testing

@Suite("The bridge writing and translating foreign formats", .timeLimit(.minutes(3)))
struct BargeBridgeInteropTests {
    let payloads = [testPayload(300_000, seed: 4), testPayload(1_000, seed: 5), testPayload(200_001, seed: 6)]

    func createTopics(_ broker: EmbeddedBroker, _ names: String...) async throws {
        for name in names { try await createBridgeTopic(broker, name, configs: ["max.message.bytes": "\(4 << 20)"]) }
    }

    func produce(_ broker: EmbeddedBroker, _ messages: [KafkaProducerMessage]) async throws {
        var settings = KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers])
        settings.connection.messageMaxBytes = 4 << 20
        let producer = try KafkaProducer(configuration: settings, logger: quietLogger())
        for message in messages { _ = try await producer.send(message) }
        try await producer.close()
    }

    func bridge(_ broker: EmbeddedBroker, from source: String, to target: String, options: BridgeExternalizeOptions) -> BargeBridge {
        var configuration = BargeBridgeConfiguration(
            bootstrapServers: [broker.bootstrapServers], groupID: "bridge-\(target)", source: source, target: target, mode: .externalize(options))
        configuration.maximumTransactionDuration = .milliseconds(200)
        return BargeBridge(configuration: configuration, logger: quietLogger())
    }

    @Test("externalize writes LinkedIn's segments, in both styles, that a LinkedIn reader reassembles", arguments: [
        LinkedInSegment.Style.envelope, .recordHeader,
    ])
    func writesLinkedIn(style: LinkedInSegment.Style) async throws {
        try await withEmbeddedBroker { broker in
            try await createTopics(broker, "raw", "segments")
            try await produce(broker, payloads.map { KafkaProducerMessage(topic: "raw", partition: 0, key: Array("k".utf8), value: $0) })
            var producer = LargeMessageProducerOptions()
            producer.policy = .chunked(chunkSize: 64 << 10)
            var options = BridgeExternalizeOptions(threshold: 100_000, producer: producer)
            options.format = .linkedIn(style: style)
            let bridge = bridge(broker, from: "raw", to: "segments", options: options)
            try await runBridge(bridge, until: "3 records moved") { $0.records >= 3 }
            #expect(bridge.statistics.movedRecords == 2)
            let received = try await readBridged(broker, "segments", count: 3, interop: [.linkedIn])
            #expect(received.compactMap(\.failure).isEmpty)
            #expect(received.compactMap(\.payload) == payloads)
        }
    }

    @Test("a LinkedIn topic is translated into Barge claim checks named after their first segment; small messages become plain records")
    func translatesLinkedIn() async throws {
        try await withEmbeddedBroker { broker in
            try await createTopics(broker, "linkedin", "barge")
            var records: [KafkaProducerMessage] = []
            for (index, payload) in payloads.enumerated() {
                let id = LinkedInMessageID(BargeMessageID())
                let count = (payload.count + 49_999) / 50_000
                for sequence in 0..<count {
                    let slice = Array(payload[(sequence * 50_000)..<min(payload.count, (sequence + 1) * 50_000)])
                    let encoded = LinkedInSegment(messageID: id, sequence: sequence, count: count, size: payload.count, slice: slice).encoded()
                    records.append(KafkaProducerMessage(topic: "linkedin", partition: 0, key: Array("file-\(index)".utf8), value: encoded.value,
                                                        headers: [encoded.header, KafkaHeader(key: "app", string: "legacy")]))
                }
            }
            try await produce(broker, records)
            let store = MemoryObjectStore(name: "translate-\(UUID().uuidString)")
            var producer = LargeMessageProducerOptions()
            producer.policy = .claimCheck
            producer.objectStore = store
            var options = BridgeExternalizeOptions(threshold: 100_000, producer: producer)
            options.reader.interop = [.linkedIn]
            let bridge = bridge(broker, from: "linkedin", to: "barge", options: options)
            try await runBridge(bridge, until: "3 records moved") { $0.records >= 3 }
            let received = try await readBridged(broker, "barge", count: 3, stores: [store])
            #expect(received.compactMap(\.failure).isEmpty)
            #expect(received.compactMap(\.payload) == payloads)
            let messages = received.compactMap { event -> BargeMessageInfo? in
                if case .message(let info, _) = event { return info }
                return nil
            }
            #expect(messages.map(\.kind) == [.claimCheck, .plain, .claimCheck])
            #expect(messages.map(\.key) == (0..<3).map { Array("file-\($0)".utf8) })
            #expect(messages.allSatisfy { $0.headers == [KafkaHeader(key: "app", string: "legacy")] }, "LinkedIn's header is gone, the application's kept")
            #expect(messages[0].id == BargeMessageID(derivedFrom: "linkedin/0/0"))
            #expect(messages[2].id == BargeMessageID(derivedFrom: "linkedin/0/7"), "named after its first segment (6 + 1 segments before it)")
        }
    }

    @Test("bakdata's format needs an S3 store; translating writes Barge's format only")
    func refusedFormats() async throws {
        try await withEmbeddedBroker { broker in
            try await createTopics(broker, "raw", "out")
            var producer = LargeMessageProducerOptions()
            producer.objectStore = MemoryObjectStore(name: "not-s3-\(UUID().uuidString)")
            var bakdata = BridgeExternalizeOptions(threshold: 100, producer: producer)
            bakdata.format = .bakdata(mode: .byteFlag)
            await #expect { try await bridge(broker, from: "raw", to: "out", options: bakdata).run() } throws: {
                ($0 as? BargeBridgeError)?.kind == .invalidConfiguration
            }
            var translating = BridgeExternalizeOptions(threshold: 100, producer: LargeMessageProducerOptions())
            translating.format = .linkedIn(style: .envelope)
            translating.reader.interop = [.bakdata]
            await #expect { try await bridge(broker, from: "raw", to: "out", options: translating).run() } throws: {
                ($0 as? BargeBridgeError)?.kind == .invalidConfiguration
            }
        }
    }
}
