import BargeBroker
import BargeBrokerTestKit
import Foundation
import KafkaProtocol
import MetricsTestKit
import NIOCore
import ObjectStore
import Testing

/// Tiered storage over the wire, on an in-memory remote tier whose faults the
/// tests control (the Python integration tests run the same on a file tier
/// and on SeaweedFS with real clients).
@Suite("Tiered storage", .timeLimit(.minutes(3)))
struct TieredStorageTests {
    static let batches = 60
    /// Batch timestamps: now, so that `retention.ms` (7 days) keeps them.
    let baseTimestamp = Int64(Date().timeIntervalSince1970 * 1000)

    func configure(_ storeName: String, _ extra: @escaping (inout BrokerConfig) -> Void = { _ in }) -> (inout BrokerConfig) -> Void {
        { config in
            config.remoteStorage.systemEnable = true
            config.remoteStorage.storageURL = "memory://\(storeName)"
            config.remoteStorage.taskIntervalMs = 50
            config.remoteStorage.chunkSize = 4096
            config.remoteStorage.fetchMaxWaitMs = 10_000
            config.retentionCheckIntervalMs = 50
            extra(&config)
        }
    }

    func createTieredTopic(_ client: KafkaTestClient, _ name: String, localRetentionMs: String = "0") async throws {
        var creatable = CreateTopicsRequest.CreatableTopic()
        creatable.name = name
        creatable.numPartitions = 1
        creatable.replicationFactor = 1
        for (key, value) in [("remote.storage.enable", "true"), ("segment.bytes", "16384"), ("local.retention.ms", localRetentionMs)] {
            var config = CreateTopicsRequest.CreatableTopicConfig()
            config.name = key
            config.value = value
            creatable.configs.append(config)
        }
        var request = CreateTopicsRequest()
        request.topics = [creatable]
        request.timeoutMs = 5_000
        let response = try await client.request(request, apiKey: .createTopics, version: 7, as: CreateTopicsResponse.self)
        #expect(response.topics.first?.errorCode == 0, "\(response.topics.first?.errorMessage ?? "")")
    }

    /// Batch `index`: ten records of 300 pattern bytes each.
    func batch(_ index: Int) -> ByteBuffer {
        var builder = RecordBatchBuilder()
        for record in 0..<10 {
            builder.append(key: ByteBuffer(string: "b\(index)-r\(record)"), value: ByteBuffer(repeating: UInt8(truncatingIfNeeded: index &* 31 &+ record), count: 300),
                           timestamp: baseTimestamp + Int64(index))
        }
        return builder.build()
    }

    func produceAll(_ client: KafkaTestClient, _ topic: String) async throws {
        for index in 0..<Self.batches {
            let response = try await client.request(ProduceRequest.single(topic: topic, batch: batch(index)), apiKey: .produce, version: 9, as: ProduceResponse.self)
            #expect(response.responses.first?.partitionResponses.first?.errorCode == 0)
        }
    }

    func listOffset(_ client: KafkaTestClient, _ topic: String, _ timestamp: Int64, version: Int16 = 9) async throws -> (Int16, Int64) {
        var partition = ListOffsetsRequest.ListOffsetsPartition()
        partition.partitionIndex = 0
        partition.timestamp = timestamp
        var topicRequest = ListOffsetsRequest.ListOffsetsTopic()
        topicRequest.name = topic
        topicRequest.partitions = [partition]
        var request = ListOffsetsRequest()
        request.replicaId = -1
        request.topics = [topicRequest]
        let response = try await client.request(request, apiKey: .listOffsets, version: version, as: ListOffsetsResponse.self)
        let answer = try #require(response.topics.first?.partitions.first)
        return (answer.errorCode, answer.offset)
    }

    func fetch(_ client: KafkaTestClient, _ topic: String, offset: Int64, readCommitted: Bool = false) async throws -> FetchResponse.PartitionData {
        try await client.fetch(topic: topic, offset: offset, maxWaitMs: 100, partitionMaxBytes: 20_000, readCommitted: readCommitted)
    }

    /// Waits until the log's first local offset is past 0 and the remote tier reaches it.
    func waitForOffload(_ client: KafkaTestClient, _ topic: String) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (_, localStart) = try await listOffset(client, topic, -4)
            let (_, lastTiered) = try await listOffset(client, topic, -5)
            if localStart > 0 && lastTiered >= localStart - 1 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("segments did not move to the remote tier")
    }

    /// A client of `broker` once `topic` is created tiered, every batch produced, and segments offloaded.
    func connectWithOffloadedTopic(_ broker: EmbeddedBroker, _ topic: String) async throws -> KafkaTestClient {
        let client = try await KafkaTestClient.connect(port: broker.port)
        do {
            try await createTieredTopic(client, topic)
            try await produceAll(client, topic)
            try await waitForOffload(client, topic)
            return client
        } catch {
            await client.close()
            throw error
        }
    }

    /// Reads every batch from offset 0 and checks each against what was produced.
    func readEverything(_ client: KafkaTestClient, _ topic: String) async throws {
        var next: Int64 = 0
        let end = Int64(Self.batches * 10)
        let deadline = ContinuousClock.now + .seconds(60)
        while next < end, ContinuousClock.now < deadline {
            let answer = try await fetch(client, topic, offset: next)
            #expect(answer.errorCode == 0)
            guard let bytes = answer.records?.inMemoryBytes else { continue }
            for stored in try RecordBatch.split(bytes) where stored.header.lastOffset >= next {
                let index = Int(stored.header.baseOffset / 10)
                var expected = try #require(try RecordBatch.split(batch(index)).first).bytes
                // Compare past the base offset and leader epoch, which the log sets.
                expected.moveReaderIndex(forwardBy: 17)
                var got = stored.bytes
                got.moveReaderIndex(forwardBy: 17)
                #expect(got == expected, "batch \(index)")
                next = stored.header.lastOffset + 1
            }
        }
        #expect(next == end)
    }

    @Test("offload, then consume from offset 0 through the remote tier")
    func offloadAndConsume() async throws {
        let store = "tiered-\(UUID().uuidString)"
        let topic = "tiered-offload"
        try await withEmbeddedBroker(configure: configure(store)) { broker in
            let client = try await connectWithOffloadedTopic(broker, topic)
            defer { Task { await client.close() } }
            #expect(try await listOffset(client, topic, -2) == (0, 0))
            #expect(try await listOffset(client, topic, -4, version: 7).0 == KafkaErrorCode.unsupportedVersion.code)
            try await readEverything(client, topic)
            let byTime = try await listOffset(client, topic, baseTimestamp + 3)
            #expect(byTime == (0, 30), "a timestamp in the remote tier is found through its time index")

            var dirs = DescribeLogDirsRequest()
            dirs.topics = nil
            let described = try await client.request(dirs, apiKey: .describeLogDirs, version: 4, as: DescribeLogDirsResponse.self)
            #expect(described.results.count == 2, "the data directory and the remote tier")
            let remote = try #require(described.results.first { $0.logDir.hasPrefix("remote:memory://") })
            let local = try #require(described.results.first { $0.logDir == broker.dataDirectory })
            let remoteBytes = remote.topics.first { $0.name == topic }?.partitions.first?.partitionSize ?? 0
            let localBytes = local.topics.first { $0.name == topic }?.partitions.first?.partitionSize ?? 0
            #expect(remoteBytes > 0 && localBytes > 0)
            #expect(remoteBytes + localBytes >= Int64(Self.batches * 3_000), "every record is in one tier or both")
        }
        let objects = try await objectCount(store)
        #expect(objects >= 9, "three objects per copied segment")
    }

    @Test("on a file tier on the log's file system, a copied segment is a hard link of its file: no byte is copied")
    func fileTierLinksSegments() async throws {
        let tier = NSTemporaryDirectory() + "barge-tier-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: tier) }
        let topic = "tiered-linked"
        try await withEmbeddedBroker(configure: configure("unused") { $0.remoteStorage.storageURL = "file://\(tier)" }) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            // Local copies are kept (-2), so both names of each copied segment can be compared.
            try await createTieredTopic(client, topic, localRetentionMs: "-2")
            try await produceAll(client, topic)
            let deadline = ContinuousClock.now + .seconds(60)
            while try await listOffset(client, topic, -5).1 < Int64(Self.batches * 10 / 2), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            let inode = { (path: String) in try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int }
            let partition = broker.dataDirectory + "/\(topic)-0"
            let localInodes = try Set(FileManager.default.contentsOfDirectory(atPath: partition).filter { $0.hasSuffix(".log") }
                .map { try inode(partition + "/" + $0) })
            let objects = try #require(FileManager.default.enumerator(atPath: tier)?.allObjects as? [String]).filter { $0.hasSuffix(".log") }
            #expect(objects.count >= 4, "\(objects)")
            for object in objects {
                #expect(try localInodes.contains(inode(tier + "/" + object)), "\(object) is a copy, not a link of a segment")
            }
            try await readEverything(client, topic)
        }
    }

    @Test("the remote tier's counters: bytes and segments copied, copy lag, fetch bytes, cache hits and misses, failures, deletions")
    func metrics() async throws {
        let store = "tiered-\(UUID().uuidString)"
        let topic = "tiered-metrics"
        let metrics = TestMetrics()
        try await withEmbeddedBroker(configure: configure(store), metricsFactory: metrics) { broker in
            let client = try await connectWithOffloadedTopic(broker, topic)
            defer { Task { await client.close() } }
            let copiedSegments = count(metrics, "barge_remote_copy_segments_total")
            let copiedBytes = count(metrics, "barge_remote_copy_bytes_total")
            #expect(copiedSegments >= 3)
            // A segment's bytes are counted as they are sent, so the counter runs ahead of finished copies.
            #expect(copiedBytes >= copiedSegments * 16384 / 2, "\(copiedBytes) bytes for \(copiedSegments) segments of up to 16 KiB")
            #expect(try metrics.expectGauge("barge_remote_copy_lag_bytes").lastValue != nil)

            try await readEverything(client, topic)
            #expect(count(metrics, "barge_remote_fetch_bytes_total") >= copiedBytes / 2)
            #expect(count(metrics, "barge_remote_cache_misses_total") > 0)
            #expect(count(metrics, "barge_remote_cache_hits_total") > 0)

            // A deletion the store refuses counts as a failure, and counts as a deletion once it goes through.
            let memory = MemoryObjectStore.named(store)
            memory.inject(.failNext(.delete, times: 1_000_000, error: ObjectStoreError(.unavailable, "the test stopped deletions")))
            #expect(try await client.deleteRecords(topic, before: 200).errorCode == 0, "offsets below 200 fill several remote segments")
            try await eventually { count(metrics, "barge_remote_task_failures_total") > 0 }
            #expect(count(metrics, "barge_remote_delete_segments_total") == 0)
            memory.removeFaults()
            try await eventually { count(metrics, "barge_remote_delete_segments_total") > 0 }
        }
    }

    /// The total of counter `label`, 0 when there is none.
    func count(_ metrics: TestMetrics, _ label: String) -> Int64 {
        (try? metrics.expectCounter(label).totalValue) ?? 0
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(_ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while try !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("the condition did not come true within 60 s")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("with the store down, remote reads get UNKNOWN_SERVER_ERROR and local ones go on; then everything reads")
    func storeDown() async throws {
        let store = "tiered-\(UUID().uuidString)"
        let topic = "tiered-outage"
        try await withEmbeddedBroker(configure: configure(store)) { broker in
            let client = try await connectWithOffloadedTopic(broker, topic)
            defer { Task { await client.close() } }
            let memory = MemoryObjectStore.named(store)
            memory.inject(.failNext(.get, times: 1_000_000, error: ObjectStoreError(.unavailable, "the test stopped the store")))
            #expect(try await fetch(client, topic, offset: 0).errorCode == KafkaErrorCode.unknownServerError.code)
            // The last record is in the active segment, which is never copied: always local.
            let (_, end) = try await listOffset(client, topic, -1)
            let local = try await fetch(client, topic, offset: end - 1)
            #expect(local.errorCode == 0 && (local.records?.byteCount ?? 0) > 0)
            memory.removeFaults()
            try await readEverything(client, topic)
        }
    }

    @Test("a chunk cache far smaller than the data evicts as it goes and every read still completes")
    func tinyCache() async throws {
        let store = "tiered-\(UUID().uuidString)"
        let topic = "tiered-tiny-cache"
        try await withEmbeddedBroker(configure: configure(store) { config in
            // What `rsm.config.fetch.chunk.cache.size` may be at the least: a fetch (20 000 bytes here), two chunks more, and the prefetch.
            config.remoteStorage.prefetchMaxBytes = 2 * 4096
            config.remoteStorage.cacheSizeBytes = 16 * 4096
        }) { broker in
            let client = try await connectWithOffloadedTopic(broker, topic)
            defer { Task { await client.close() } }
            try await readEverything(client, topic)
            let cached = try FileManager.default.contentsOfDirectory(atPath: broker.dataDirectory + "/__remote-cache")
                .filter { $0.hasSuffix(".chunk") }
            #expect(cached.count <= 17, "the cache holds about its size, not the data read (\(cached.count) chunks)")
        }
    }

    @Test("encrypted and compressed chunks read back; no plaintext reaches the store")
    func encryptedAndCompressed() async throws {
        let store = "tiered-\(UUID().uuidString)"
        let topic = "tiered-sealed"
        let keyring = NSTemporaryDirectory() + "barge-keyring-\(UUID().uuidString)"
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        try "k1:\(key)\n".write(toFile: keyring, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: keyring) }
        try await withEmbeddedBroker(configure: configure(store) { config in
            config.remoteStorage.compressionEnabled = true
            config.remoteStorage.encryptionKeyring = keyring
        }) { broker in
            let client = try await connectWithOffloadedTopic(broker, topic)
            defer { Task { await client.close() } }
            try await readEverything(client, topic)
        }
        let memory = MemoryObjectStore.named(store)
        for try await object in memory.list(prefix: "") where object.key.rawValue.hasSuffix(".log") {
            var bytes: [UInt8] = []
            for try await piece in try await memory.get(object.key) { bytes += piece.readableBytesView }
            #expect(!bytes.contains(subsequence: Array("b1-r1".utf8)), "\(object.key) holds a record key in the clear")
            #expect(bytes.count < Int(object.size) + 1)
        }
    }

    @Test("a copy and a deletion cut short by a crash are cleaned up at the next start; the rest stays readable")
    func unfinishedStepsAfterACrash() async throws {
        let store = "tiered-\(UUID().uuidString)"
        let topic = "tiered-crash"
        let dataDirectory = NSTemporaryDirectory() + "barge-broker-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let configured = configure(store) { $0.dataDirectory = dataDirectory }
        try await withEmbeddedBroker(configure: configured, keepData: true) { broker in
            try await connectWithOffloadedTopic(broker, topic).close()
        }
        // What a kill -9 leaves: the newest copy started but not finished (its
        // log object written), and the oldest segment's deletion started.
        let topicFile = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dataDirectory)/__topics/\(topic).json")))
        let topicId = try #require((topicFile as? [String: Any])?["id"] as? String)
        let metadataPath = "\(dataDirectory)/__remote_log_metadata/\(topicId)-0.json"
        var stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metadataPath))) as! [String: Any]
        var segments = stored["segments"] as! [[String: Any]]
        let deleting = segments[0]["segmentId"] as! String
        segments[0]["state"] = "DELETE_SEGMENT_STARTED"
        var interrupted = segments[segments.count - 1]
        let interruptedId = UUID().uuidString.lowercased()
        interrupted["segmentId"] = interruptedId
        interrupted["state"] = "COPY_SEGMENT_STARTED"
        interrupted.removeValue(forKey: "layout")
        interrupted["baseOffset"] = interrupted["endOffset"]
        interrupted["endOffset"] = (interrupted["endOffset"] as! Int) + 1
        segments.append(interrupted)
        stored["segments"] = segments
        try JSONSerialization.data(withJSONObject: stored).write(to: URL(fileURLWithPath: metadataPath))
        let memory = MemoryObjectStore.named(store)
        let deletingKey = try #require(try await firstKey(memory, containing: deleting))
        let directory = deletingKey[..<(deletingKey.lastIndex(of: "/") ?? deletingKey.startIndex)]
        let orphanKey = "\(directory)/\(String(format: "%020d", interrupted["baseOffset"] as! Int))-\(interruptedId).log"
        _ = try await memory.put(try ObjectKey(orphanKey), body: SingleTestBuffer(ByteBuffer(string: "half a segment")))

        try await withEmbeddedBroker(configure: configured) { broker in
            let client = try await KafkaTestClient.connect(port: broker.port)
            defer { Task { await client.close() } }
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let text = try String(contentsOfFile: metadataPath, encoding: .utf8)
                if !text.contains("_STARTED") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let text = try String(contentsOfFile: metadataPath, encoding: .utf8)
            #expect(!text.contains(deleting) && !text.contains(interruptedId) && !text.contains("_STARTED"))
            #expect(try await firstKey(memory, containing: deleting) == nil, "the deletion was finished")
            #expect(try await firstKey(memory, containing: interruptedId) == nil, "the unfinished copy's objects were removed")
            let (_, localStart) = try await listOffset(client, topic, -4)
            let second = (segments[1]["baseOffset"] as! Int)
            let answer = try await fetch(client, topic, offset: Int64(second))
            #expect(answer.errorCode == 0 && (answer.records?.byteCount ?? 0) > 0, "the other remote segments read as before")
            #expect(localStart > 0)
        }
    }

    func firstKey(_ store: MemoryObjectStore, containing text: String) async throws -> String? {
        for try await object in store.list(prefix: "") where object.key.rawValue.contains(text) { return object.key.rawValue }
        return nil
    }

    func objectCount(_ store: String) async throws -> Int {
        var count = 0
        for try await _ in MemoryObjectStore.named(store).list(prefix: "") { count += 1 }
        return count
    }
}

/// An upload body of one buffer.
struct SingleTestBuffer: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let buffer: ByteBuffer
    init(_ buffer: ByteBuffer) { self.buffer = buffer }
    func makeAsyncIterator() -> AsyncStream<ByteBuffer>.Iterator {
        let buffer = self.buffer
        return AsyncStream { continuation in
            continuation.yield(buffer)
            continuation.finish()
        }.makeAsyncIterator()
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
