import Logging
import NIOConcurrencyHelpers
import RdKafka

/// Settings of a ``LargeMessageProducer``.
public struct LargeMessageProducerConfiguration: Sendable {
    /// The Kafka producer underneath. Idempotence is on by default, so the
    /// chunks of a message stay in order across retries.
    public var producer: KafkaProducerConfiguration
    /// Inline, chunked, or auto (the default).
    public var policy: LargeMessagePolicy = .auto()
    /// How each record's value is compressed; skipped for a payload whose
    /// start does not compress. Default: none.
    public var compression: BargeCompression = .none

    /// Settings for the given bootstrap servers.
    public init(bootstrapServers: [String]) {
        producer = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        producer.enableIdempotence = true
    }
}

/// Sends payloads of any size through Kafka in Barge's wire format
/// (docs/wire-format.md): from bytes, from a file, or from a stream of
/// unknown length, with at most the producer's `maximumInFlightBytes` in
/// flight. Sends from many tasks may run at once.
public final class LargeMessageProducer: Sendable {
    private let producer: KafkaProducer
    private let admin: KafkaAdminClient
    private let policy: LargeMessagePolicy
    private let compression: BargeCompression
    private let producerRecordLimit: Int
    private let logger: Logger
    private let topicCache = NIOLockedValueBox<[String: TopicFacts]>([:])

    private struct TopicFacts {
        let partitions: Int
        let recordLimit: Int
    }

    /// Creates the producer. Throws `KafkaClientError` for rejected Kafka
    /// settings, `BargeProducerError` for a chunk size that cannot fit a record.
    public init(configuration: LargeMessageProducerConfiguration, logger: Logger = Logger(label: "barge.producer")) throws {
        guard configuration.policy.chunkSize > 0 else {
            throw BargeProducerError(.invalidArgument, "chunk size must be positive")
        }
        producer = try KafkaProducer(configuration: configuration.producer, logger: logger)
        admin = try KafkaAdminClient(configuration: configuration.producer.connection, logger: logger)
        policy = configuration.policy
        compression = configuration.compression
        producerRecordLimit = configuration.producer.connection.messageMaxBytes
        self.logger = logger
    }

    /// Sends `payload`.
    public func send(
        _ payload: [UInt8], topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription()
    ) async throws -> BargeReceipt {
        let facts = try await facts(of: topic)
        let id = BargeMessageID()
        if payload.isEmpty || policy.sendsInline(size: Int64(payload.count), recordLimit: facts.recordLimit) {
            return try await sendInline(payload, topic: topic, key: key, id: id, facts: facts, headers: headers, description: description)
        }
        let pieces = AsyncChunks(payload: payload, chunkSize: policy.chunkSize)
        return try await chunked(topic: topic, key: key, id: id, facts: facts, knownSize: Int64(payload.count), headers: headers, description: description)
            .run(pieces)
    }

    /// Sends the file at `path`, read a chunk at a time off Swift's
    /// cooperative pool; its file name goes with it unless `description` says otherwise.
    public func send(
        contentsOf path: String, topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription? = nil
    ) async throws -> BargeReceipt {
        let file = try await FileChunks.open(path, chunkSize: policy.chunkSize)
        let description = description ?? PayloadDescription(fileName: String(path.split(separator: "/").last ?? ""))
        let facts = try await facts(of: topic)
        let id = BargeMessageID()
        if file.size == 0 || policy.sendsInline(size: file.size, recordLimit: facts.recordLimit) {
            var payload: [UInt8] = []
            for try await piece in file { payload += piece }
            return try await sendInline(payload, topic: topic, key: key, id: id, facts: facts, headers: headers, description: description)
        }
        return try await chunked(topic: topic, key: key, id: id, facts: facts, knownSize: file.size, headers: headers, description: description)
            .run(file)
    }

    /// Sends standard input, read off Swift's cooperative pool until it
    /// ends, as a stream of unknown length.
    public func sendStandardInput(
        topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [], description: PayloadDescription = PayloadDescription()
    ) async throws -> BargeReceipt {
        try await send(stream: FileChunks.standardInput(chunkSize: policy.chunkSize), topic: topic, key: key, headers: headers, description: description)
    }

    /// Sends a stream of unknown length, chunk by chunk as it arrives (a
    /// live recording): count, size and digest go on the last chunk.
    public func send<Pieces: AsyncSequence & Sendable>(
        stream: Pieces, topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription()
    ) async throws -> BargeReceipt where Pieces.Element == [UInt8] {
        let facts = try await facts(of: topic)
        return try await chunked(topic: topic, key: key, id: BargeMessageID(), facts: facts, knownSize: nil, headers: headers, description: description)
            .run(stream)
    }

    /// Waits for every record in flight, then closes the Kafka clients.
    public func close() async throws {
        await admin.close()
        try await producer.close()
    }

    private func sendInline(
        _ payload: [UInt8], topic: String, key: [UInt8]?, id: BargeMessageID, facts: TopicFacts,
        headers: [KafkaHeader], description: PayloadDescription
    ) async throws -> BargeReceipt {
        guard payload.count <= facts.recordLimit - LargeMessagePolicy.recordOverhead || payload.isEmpty else {
            throw BargeProducerError(.tooLargeForInline, "\(payload.count) bytes do not fit one record of topic \(topic) (limit \(facts.recordLimit))")
        }
        let digest = BargeDigest.sha256(of: payload)
        let codec = try CompressionProbe.codec(for: payload, compression: compression)
        let envelope = BargeEnvelope.inline(BargeInlineHeader(
            id: id, size: Int64(payload.count), sha256: digest, codec: codec,
            contentType: description.contentType, fileName: description.fileName, applicationHeaders: headers
        ))
        let report = try await producer.send(KafkaProducerMessage(
            topic: topic, partition: key == nil ? partition(for: id, of: facts) : nil, key: key,
            value: codec == .none ? payload : try ChunkCodec.compress(payload, with: compression),
            headers: try envelope.headers()
        ))
        return BargeReceipt(
            id: id, topicPartition: report.topicPartition, firstOffset: report.offset ?? -1, lastOffset: report.offset ?? -1,
            size: Int64(payload.count), sha256: digest, records: 1, isInline: true
        )
    }

    private func chunked(
        topic: String, key: [UInt8]?, id: BargeMessageID, facts: TopicFacts, knownSize: Int64?,
        headers: [KafkaHeader], description: PayloadDescription
    ) throws -> ChunkedSend {
        if let reserved = headers.first(where: { $0.key.hasPrefix(BargeHeaderName.prefix) }) {
            throw BargeWireError(.reservedHeaderName, reserved.key, "application headers may not start with '\(BargeHeaderName.prefix)'")
        }
        guard policy.chunkSize <= facts.recordLimit - LargeMessagePolicy.recordOverhead else {
            throw BargeProducerError(.invalidArgument, "chunk size \(policy.chunkSize) does not fit a record of topic \(topic) (limit \(facts.recordLimit))")
        }
        return ChunkedSend(
            producer: producer, topic: topic, partition: key == nil ? partition(for: id, of: facts) : nil, key: key, id: id,
            chunkSize: policy.chunkSize, knownSize: knownSize, description: description, applicationHeaders: headers,
            compression: compression
        )
    }

    /// A keyless message's partition: its id hashed over the topic's partitions.
    private func partition(for id: BargeMessageID, of facts: TopicFacts) -> Int32 {
        let hash = id.text.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Int32(hash % UInt64(facts.partitions))
    }

    /// The topic's partition count and record limit (its `max.message.bytes`,
    /// capped by the producer's `message.max.bytes`), looked up once.
    private func facts(of topic: String) async throws -> TopicFacts {
        if let known = topicCache.withLockedValue({ $0[topic] }) { return known }
        let partitions = try await producer.partitionCount(of: topic)
        let topicLimit = (try? await admin.describeTopicConfig(topic))?["max.message.bytes"].flatMap { Int($0) }
        let facts = TopicFacts(partitions: partitions, recordLimit: min(topicLimit ?? producerRecordLimit, producerRecordLimit))
        topicCache.withLockedValue { $0[topic] = facts }
        return facts
    }
}

/// A byte array as an async sequence of chunk-sized slices.
struct AsyncChunks: AsyncSequence, Sendable {
    let payload: [UInt8]
    let chunkSize: Int

    func makeAsyncIterator() -> Iterator { Iterator(payload: payload, chunkSize: chunkSize) }

    struct Iterator: AsyncIteratorProtocol {
        let payload: [UInt8]
        let chunkSize: Int
        var start = 0

        mutating func next() async -> [UInt8]? {
            guard start < payload.count else { return nil }
            defer { start += chunkSize }
            return Array(payload[start..<Swift.min(start + chunkSize, payload.count)])
        }
    }
}
