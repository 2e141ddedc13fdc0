import KafkaValues
import Logging
import NIOConcurrencyHelpers
import ObjectStore

/// Sends payloads of any size through Kafka in Barge's wire format
/// (docs/wire-format.md): from bytes, from a file, or from a stream of
/// unknown length, through a ``ProducerTransport`` (`BargeRdKafka` makes
/// one over librdkafka, with at most its `maximumInFlightBytes` in flight).
/// Sends from many tasks may run at once. Over a
/// ``TransactionalProducerTransport``, ``inTransaction(_:)`` makes messages
/// appear all at once or not at all.
public final class LargeMessageProducer: Sendable {
    /// The transport the records go through.
    let producer: any ProducerTransport
    /// One transaction at a time (`inTransaction`).
    let transactionGate = SerialGate()
    private let policy: LargeMessagePolicy
    private let topicPolicies: [String: LargeMessagePolicy]
    private let compression: BargeCompression
    private let objectStore: (any ObjectStore)?
    private let encryption: BargeKeyring?
    private let progress: (@Sendable (BargeSendProgress) -> Void)?
    private let producerRecordLimit: Int
    private let logger: Logger
    private let topicCache = NIOLockedValueBox<[String: TopicFacts]>([:])

    struct TopicFacts {
        let partitions: Int
        let recordLimit: Int
    }

    /// Creates the producer over `transport`, which it closes on ``close()``.
    /// Throws `BargeProducerError` for a chunk size that cannot fit a record
    /// or a claim-check policy without an object store.
    public init(transport: any ProducerTransport, options configuration: LargeMessageProducerOptions, logger: Logger = Logger(label: "barge.producer")) throws {
        for (name, policy) in [("default", configuration.policy)] + configuration.topicPolicies.sorted(by: { $0.key < $1.key }) {
            guard policy.chunkSize > 0 else {
                throw BargeProducerError(.invalidArgument, "chunk size must be positive (\(name) policy)")
            }
            guard !policy.usesClaimCheck || configuration.objectStore != nil else {
                throw BargeProducerError(.invalidArgument, "the \(name) policy sends claim checks but no object store is configured")
            }
            if let threshold = policy.claimCheckThreshold, threshold < 1 {
                throw BargeProducerError(.invalidArgument, "the claim-check threshold must be positive (\(name) policy)")
            }
        }
        producer = transport
        policy = configuration.policy
        topicPolicies = configuration.topicPolicies
        objectStore = configuration.objectStore
        encryption = configuration.encryption
        progress = configuration.progress
        compression = configuration.compression
        producerRecordLimit = transport.maximumRecordBytes
        self.logger = logger
    }

    /// Sends `payload`, named and placed as `placement` says.
    public func send(
        _ payload: [UInt8], topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription(), placement: BargePlacement = BargePlacement()
    ) async throws -> BargeReceipt {
        let facts = try await facts(of: topic)
        let policy = policy(for: topic)
        let pieces = AsyncChunks(payload: payload, chunkSize: policy.chunkSize)
        switch policy.route(size: Int64(payload.count), recordLimit: facts.recordLimit) {
        case .inline:
            return try await sendInline(payload, topic: topic, key: key, placement: placement, facts: facts, headers: headers, description: description)
        case .chunked:
            return try await chunked(topic: topic, key: key, placement: placement, facts: facts, knownSize: Int64(payload.count), headers: headers, description: description)
                .run(pieces)
        case .claimCheck:
            return try await claimCheck(topic: topic, key: key, placement: placement, facts: facts, knownSize: Int64(payload.count), headers: headers, description: description)
                .run(pieces)
        }
    }

    /// Sends the file at `path`, read a chunk at a time off Swift's
    /// cooperative pool; its file name goes with it unless `description` says otherwise.
    public func send(
        contentsOf path: String, topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription? = nil
    ) async throws -> BargeReceipt {
        let file = try await FileChunks.open(path, chunkSize: policy(for: topic).chunkSize)
        let description = description ?? PayloadDescription(fileName: String(path.split(separator: "/").last ?? ""))
        return try await send(file, size: file.size, topic: topic, key: key, headers: headers, description: description)
    }

    /// Sends a payload of `size` bytes that arrives as `pieces` (read from
    /// where it lies, a piece at a time, never gathered unless it goes
    /// inline), routed as a payload of that size; named and placed as
    /// `placement` says. Fails if the pieces add up to another size.
    public func send<Pieces: AsyncSequence & Sendable>(
        _ pieces: Pieces, size: Int64, topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription(), placement: BargePlacement = BargePlacement()
    ) async throws -> BargeReceipt where Pieces.Element == [UInt8] {
        let facts = try await facts(of: topic)
        switch policy(for: topic).route(size: size, recordLimit: facts.recordLimit) {
        case .inline:
            var payload: [UInt8] = []
            for try await piece in pieces { payload += piece }
            guard payload.count == size else { throw BargeProducerError.sizeMismatch(read: Int64(payload.count), announced: size) }
            return try await sendInline(payload, topic: topic, key: key, placement: placement, facts: facts, headers: headers, description: description)
        case .chunked:
            return try await chunked(topic: topic, key: key, placement: placement, facts: facts, knownSize: size, headers: headers, description: description)
                .run(pieces)
        case .claimCheck:
            return try await claimCheck(topic: topic, key: key, placement: placement, facts: facts, knownSize: size, headers: headers, description: description)
                .run(pieces)
        }
    }

    /// Sends standard input, read off Swift's cooperative pool until it
    /// ends, as a stream of unknown length.
    public func sendStandardInput(
        topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [], description: PayloadDescription = PayloadDescription()
    ) async throws -> BargeReceipt {
        try await send(stream: FileChunks.standardInput(chunkSize: policy(for: topic).chunkSize), topic: topic, key: key, headers: headers, description: description)
    }

    /// Sends a stream of unknown length as it arrives (a live recording):
    /// chunk by chunk, with count, size and digest on the last chunk, or,
    /// under the claim-check policy, streamed into the object store; named
    /// and placed as `placement` says.
    public func send<Pieces: AsyncSequence & Sendable>(
        stream: Pieces, topic: String, key: [UInt8]? = nil, headers: [KafkaHeader] = [],
        description: PayloadDescription = PayloadDescription(), placement: BargePlacement = BargePlacement()
    ) async throws -> BargeReceipt where Pieces.Element == [UInt8] {
        let facts = try await facts(of: topic)
        if policy(for: topic).route(size: nil, recordLimit: facts.recordLimit) == .claimCheck {
            return try await claimCheck(topic: topic, key: key, placement: placement, facts: facts, knownSize: nil, headers: headers, description: description)
                .run(stream)
        }
        return try await chunked(topic: topic, key: key, placement: placement, facts: facts, knownSize: nil, headers: headers, description: description)
            .run(stream)
    }

    /// The policy that applies to `topic`.
    public func policy(for topic: String) -> LargeMessagePolicy {
        topicPolicies[topic] ?? policy
    }

    /// Waits for every record in flight, then closes the transport.
    public func close() async throws {
        try await producer.close()
    }

    private func sendInline(
        _ payload: [UInt8], topic: String, key: [UInt8]?, placement: BargePlacement, facts: TopicFacts,
        headers: [KafkaHeader], description: PayloadDescription
    ) async throws -> BargeReceipt {
        guard payload.count <= facts.recordLimit - LargeMessagePolicy.recordOverhead || payload.isEmpty else {
            throw BargeProducerError(.tooLargeForInline, "\(payload.count) bytes do not fit one record of topic \(topic) (limit \(facts.recordLimit))")
        }
        let id = placement.id
        var reporter = SendProgressReporter(id: id, topic: topic, size: Int64(payload.count), hook: progress)
        reporter.read(payload.count)
        let digest = BargeDigest.sha256(of: payload)
        let codec = try CompressionProbe.codec(for: payload, compression: compression)
        let envelope = BargeEnvelope.inline(BargeInlineHeader(
            id: id, size: Int64(payload.count), sha256: digest, codec: codec,
            contentType: description.contentType, fileName: description.fileName, applicationHeaders: headers
        ))
        let report = try await producer.send(KafkaProducerMessage(
            topic: topic, partition: partition(for: placement, key: key, of: facts), key: key,
            value: codec == .none ? payload : try ChunkCodec.compress(payload, with: compression),
            headers: try envelope.headers(), timestamp: placement.timestamp
        ))
        reporter.acknowledged(payload.count)
        return BargeReceipt(
            id: id, topicPartition: report.topicPartition, firstOffset: report.offset ?? -1, lastOffset: report.offset ?? -1,
            size: Int64(payload.count), sha256: digest, records: 1, isInline: true
        )
    }

    private func chunked(
        topic: String, key: [UInt8]?, placement: BargePlacement, facts: TopicFacts, knownSize: Int64?,
        headers: [KafkaHeader], description: PayloadDescription
    ) throws -> ChunkedSend {
        try BargeHeaderName.checkApplicationHeaders(headers)
        let chunkSize = policy(for: topic).chunkSize
        guard chunkSize <= facts.recordLimit - LargeMessagePolicy.recordOverhead else {
            throw BargeProducerError(.invalidArgument, "chunk size \(chunkSize) does not fit a record of topic \(topic) (limit \(facts.recordLimit))")
        }
        return ChunkedSend(
            producer: producer, topic: topic, partition: partition(for: placement, key: key, of: facts), key: key, id: placement.id,
            timestamp: placement.timestamp, chunkSize: chunkSize, knownSize: knownSize, description: description, applicationHeaders: headers,
            compression: compression, progress: SendProgressReporter(id: placement.id, topic: topic, size: knownSize, hook: progress),
            abortsOnFailure: !placement.isStable
        )
    }

    func claimCheck(
        topic: String, key: [UInt8]?, placement: BargePlacement, facts: TopicFacts, knownSize: Int64?,
        headers: [KafkaHeader], description: PayloadDescription
    ) throws -> ClaimCheckSend {
        guard let objectStore else {
            throw BargeProducerError(.invalidArgument, "a claim check needs an object store")
        }
        return ClaimCheckSend(
            producer: producer, store: objectStore, keyring: encryption, topic: topic,
            partition: partition(for: placement, key: key, of: facts), key: key, id: placement.id, timestamp: placement.timestamp,
            knownSize: knownSize, description: description, applicationHeaders: headers,
            progress: SendProgressReporter(id: placement.id, topic: topic, size: knownSize, hook: progress), logger: logger,
            deletesOnFailure: !placement.isStable
        )
    }

    /// The placement's partition; else none for a keyed message (the key's
    /// partition), and for a keyless one its id hashed over the topic's partitions.
    private func partition(for placement: BargePlacement, key: [UInt8]?, of facts: TopicFacts) -> Int32? {
        if let partition = placement.partition { return partition }
        guard key == nil else { return nil }
        let hash = placement.id.text.utf8.reduce(UInt64(14_695_981_039_346_656_037)) { ($0 ^ UInt64($1)) &* 1_099_511_628_211 }
        return Int32(hash % UInt64(facts.partitions))
    }

    /// The topic's partition count and record limit (its `max.message.bytes`,
    /// capped by the producer's `message.max.bytes`), looked up once.
    func facts(of topic: String) async throws -> TopicFacts {
        if let known = topicCache.withLockedValue({ $0[topic] }) { return known }
        let partitions = try await producer.partitionCount(of: topic)
        let topicLimit = try? await producer.recordLimit(of: topic)
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
