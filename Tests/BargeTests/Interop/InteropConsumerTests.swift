import Barge
import BargeBrokerTestKit
import BargeRdKafka
import Foundation
import ObjectStore
import RdKafka
import Testing

/// Foreign formats read by `LargeMessageConsumer` from the embedded broker,
/// their objects from a file-system store standing in for an S3 bucket.
@Suite("Interop: LargeMessageConsumer reads bakdata, LinkedIn and irori records", .timeLimit(.minutes(3)))
struct InteropConsumerTests {
    func send(_ records: [(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])], topic: String, broker: EmbeddedBroker) async throws {
        let raw = try KafkaProducer(configuration: KafkaProducerConfiguration(bootstrapServers: [broker.bootstrapServers]), logger: quietLogger())
        for record in records {
            _ = try await raw.send(KafkaProducerMessage(topic: topic, partition: 0, key: record.key, value: record.value, headers: record.headers))
        }
        try await raw.close()
    }

    func consumer(
        _ broker: EmbeddedBroker, group: String, formats: Set<InteropFormat>, buckets: [String: any ObjectStore] = [:],
        _ adjust: (inout LargeMessageConsumerConfiguration) -> Void = { _ in }
    ) throws -> LargeMessageConsumer {
        var settings = LargeMessageConsumerConfiguration(bootstrapServers: [broker.bootstrapServers], groupID: group)
        settings.interop = formats
        settings.interopBuckets = buckets
        settings.storeRetry = BargeRetryPolicy(retries: 1, initialDelay: .milliseconds(10), maximumDelay: .milliseconds(20))
        adjust(&settings)
        return try LargeMessageConsumer(configuration: settings, logger: quietLogger())
    }

    func temporaryStore() throws -> FileSystemObjectStore {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        return try FileSystemObjectStore(root: root)
    }

    /// Each event's payload read whole, or the error reading it (or the failure event) gave.
    func outcomes(of consumer: LargeMessageConsumer, count: Int) async throws -> [(info: BargeMessageInfo?, result: Result<[UInt8], BargeConsumerError>)] {
        var outcomes: [(info: BargeMessageInfo?, result: Result<[UInt8], BargeConsumerError>)] = []
        for try await event in consumer.events {
            switch event {
            case .message(let message):
                do {
                    outcomes.append((message.info, .success(try await message.bytes())))
                } catch let error as BargeConsumerError {
                    outcomes.append((message.info, .failure(error)))
                }
            case .failure(let error):
                outcomes.append((nil, .failure(error)))
            }
            if outcomes.count == count { break }
        }
        return outcomes
    }

    @Test("LinkedIn messages in both styles reassemble under a memory budget smaller than them (spilled), beside a plain record")
    func linkedIn() async throws {
        try await withEmbeddedBroker { broker in
            let first = testPayload(300_000, seed: 1), second = testPayload(150_000, seed: 2)
            var records: [(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])] = []
            for (payload, style) in [(first, LinkedInSegment.Style.envelope), (second, .recordHeader)] {
                for segment in linkedInSegments(payload, id: LinkedInMessageID(BargeMessageID()), segmentSize: 64 << 10) {
                    let (value, header) = segment.encoded(style: style)
                    records.append((segment.recordKey(applicationKey: nil), value, [KafkaHeader(key: "app", string: "li"), header]))
                }
            }
            records.append((nil, Array("plain".utf8), []))
            try await send(records, topic: "linkedin", broker: broker)
            let consumer = try consumer(broker, group: "li-\(UUID().uuidString)", formats: [.linkedIn]) { $0.memoryBudget = 64 << 10 }
            try consumer.subscribe(topics: ["linkedin"])
            let received = try await outcomes(of: consumer, count: 3)
            await consumer.close()
            #expect(received.map { try? $0.result.get() } == [first, second, Array("plain".utf8)])
            #expect(received.map { $0.info?.interop } == [.linkedIn, .linkedIn, nil])
            #expect(received.map { $0.info?.kind } == [.chunked, .chunked, .plain])
            #expect(received[0].info?.headers == [KafkaHeader(key: "app", string: "li")])
        }
    }

    @Test("bakdata objects, compressed and padded as bakdata uploads them, read from the bucket's store; bad ones (corrupt, missing, a key out of the store, Azure) are typed errors; all are handled")
    func bakdataObjects() async throws {
        try await withEmbeddedBroker { broker in
            let store = try temporaryStore()
            let blobs = try InteropVectors.load().blobs
            var records: [(key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader])] = []
            for (index, blob) in blobs.enumerated() {
                let key = "base/bakdata/values/blob-\(index)"
                _ = try await store.put(try ObjectKey(key), body: ChunkStream(blob.blob, piece: 7).buffers)
                let payload = BakdataPayload(content: .backed(try InteropObjectReference(bucket: "bucket", key: key)), compression: blob.compression, mode: .headers)
                let (value, headers) = payload.encoded()
                records.append((nil, value, headers))
            }
            let missing = BakdataPayload(content: .backed(try InteropObjectReference(bucket: "bucket", key: "base/gone")), mode: .byteFlag)
            records.append((nil, missing.encoded().bytes, []))
            records.append((nil, [1] + Array("s3://bucket/base/../../escape".utf8), []))
            records.append((nil, [1] + Array("abs://container/x".utf8), []))
            records.append((nil, [0] + Array("inline".utf8), []))
            try await send(records, topic: "bakdata", broker: broker)

            let group = "bd-\(UUID().uuidString)"
            let consumer = try consumer(broker, group: group, formats: [.bakdata], buckets: ["bucket": store])
            try consumer.subscribe(topics: ["bakdata"])
            let received = try await outcomes(of: consumer, count: records.count)
            try await consumer.commit()
            await consumer.close()
            for (blob, outcome) in zip(blobs, received) {
                switch outcome.result {
                case .success(let bytes): #expect(bytes == blob.payload, "\(blob.name)")
                case .failure(let error): #expect(blob.payload == nil && error.kind == .corrupt, "\(blob.name): \(error)")
                }
                #expect(outcome.info?.kind == .claimCheck && outcome.info?.interop == .bakdata)
            }
            let tail = received.suffix(4).map(\.result)
            let kinds = tail.map { result -> BargeConsumerError.Kind? in
                if case .failure(let error) = result { return error.kind }
                return nil
            }
            #expect(kinds == [.objectMissing, .invalidReference, .unsupportedStore, nil])
            #expect(try tail.last?.get() == Array("inline".utf8))
            let committed = try await ClaimCheckHarness(broker: broker, store: store).committed(group: group, topic: "bakdata")
            #expect(committed == Int64(records.count))
        }
    }

    @Test("irori: an s3:// claim check is read and its size checked; an Azure one is unsupportedStore; one in an unmapped bucket is noStore and not committed")
    func irori() async throws {
        try await withEmbeddedBroker { broker in
            let store = try temporaryStore()
            let payload = testPayload(200_000, seed: 3)
            _ = try await store.put(try ObjectKey("irori/blob"), body: ChunkStream(payload, piece: 1 << 16).buffers)
            func claimCheck(_ url: String, size: Int64?) -> (key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) {
                var headers = [KafkaHeader(key: "app", string: "x"), KafkaHeader(key: IroriClaimCheck.referenceHeader, string: url)]
                if let size {
                    headers.append(KafkaHeader(key: IroriClaimCheck.payloadSizeHeader, value: (0..<8).reversed().map { UInt8(truncatingIfNeeded: size >> ($0 * 8)) }))
                }
                return (nil, [], headers)
            }
            try await send([
                claimCheck("s3://claims/irori/blob", size: Int64(payload.count)),
                claimCheck("s3://claims/irori/blob", size: Int64(payload.count) + 1),
                claimCheck("https://account.blob.core.windows.net/irori/blob", size: nil),
                claimCheck("s3://elsewhere/irori/blob", size: nil),
            ], topic: "irori", broker: broker)

            let group = "ir-\(UUID().uuidString)"
            let reports = Reports<BargeReceiveProgress>()
            let consumer = try consumer(broker, group: group, formats: [.irori], buckets: ["claims": store]) { settings in
                settings.progress = { reports.append($0) }
            }
            try consumer.subscribe(topics: ["irori"])
            let received = try await outcomes(of: consumer, count: 4)
            try await consumer.commit()
            await consumer.close()
            #expect(try received[0].result.get() == payload)
            #expect(received[0].info?.headers == [KafkaHeader(key: "app", string: "x")] && received[0].info?.size == Int64(payload.count))
            let first = reports.all.filter { $0.offset == 0 }
            #expect(first.last?.bytesVerified == Int64(payload.count) && first.last?.size == Int64(payload.count))
            #expect(zip(first, first.dropFirst()).allSatisfy { $0.bytesReceived <= $1.bytesReceived })
            let kinds = received.dropFirst().map { outcome -> BargeConsumerError.Kind? in
                if case .failure(let error) = outcome.result { return error.kind }
                return nil
            }
            #expect(kinds == [.corrupt, .unsupportedStore, .noStore])
            let committed = try await ClaimCheckHarness(broker: broker, store: store).committed(group: group, topic: "irori")
            #expect(committed == 3)
        }
    }
}
