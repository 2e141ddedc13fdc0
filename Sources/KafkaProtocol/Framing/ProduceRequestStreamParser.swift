import NIOCore

/// Reads a large Produce request (v3-v9) as its bytes arrive, so that a
/// broker never holds its records in memory: the small fields are parsed as
/// soon as they are whole, and the bytes of each large `records` field are
/// handed out in pieces (`recordsBytes`) for the caller to store, e.g. in a
/// spool file.
///
/// Feed it the frame's bytes after the size prefix, in any pieces; it takes
/// only the frame's bytes from each input and leaves the rest. Errors are
/// `KafkaProtocolError`s, as for whole frames. The fields before a records
/// payload may take at most `prefixLimit` bytes.
public struct ProduceRequestStreamParser: Sendable {
    /// What the parser found in the bytes fed so far.
    public enum Event: Sendable {
        /// The request header, first of all.
        case header(KafkaRequestHeader)
        /// The records of a partition follow as `recordsBytes` pieces, `length` bytes in all.
        case recordsStart(length: Int)
        /// A piece of streamed records.
        case recordsBytes(ByteBuffer)
        /// The whole request. Partitions whose records were streamed have nil
        /// records here; `streamed` lists them as (topic, partition) positions,
        /// in the order of their `recordsStart` events.
        case finished(ProduceRequest, streamed: [(topic: Int, partition: Int)])
    }

    private enum Step: Sendable {
        case header, requestFields, topic, partition, records(length: Int), streaming(remaining: Int)
        case partitionTags, topicTags, requestTags, skippingTrailingBytes, finished
    }

    /// The versions this parser reads.
    public static let versions: ClosedRange<Int16> = 3...9

    /// The default for `prefixLimit`.
    public static let defaultPrefixLimit = 1 << 20

    private let streamThreshold: Int
    private let prefixLimit: Int
    private var unreadInFrame: Int
    private var pending = ByteBuffer()
    private var step = Step.header
    private var version: Int16 = 0
    private var flexible = false
    private var request = ProduceRequest()
    private var topicsLeft = 0
    private var partitionsLeft = 0
    private var streamed: [(topic: Int, partition: Int)] = []

    /// - Parameters:
    ///   - frameSize: the size from the frame's prefix.
    ///   - streamThreshold: records fields of at least this many bytes are streamed; smaller ones are kept in memory.
    public init(frameSize: Int, streamThreshold: Int, prefixLimit: Int = ProduceRequestStreamParser.defaultPrefixLimit) {
        self.unreadInFrame = frameSize
        self.streamThreshold = streamThreshold
        self.prefixLimit = prefixLimit
    }

    /// Whether the whole frame has been parsed.
    public var isFinished: Bool {
        if case .finished = step { return true }
        return false
    }

    /// Takes what it can of the frame's bytes from `input` and returns what it found.
    public mutating func feed(_ input: inout ByteBuffer) throws -> [Event] {
        var events: [Event] = []
        while true {
            if case .finished = step { return events }
            if case .skippingTrailingBytes = step {
                let count = min(input.readableBytes, unreadInFrame)
                input.moveReaderIndex(forwardBy: count)
                unreadInFrame -= count
                guard unreadInFrame == 0 else { return events }
                step = .finished
                continue
            }
            if case .streaming(let remaining) = step {
                guard let piece = takeStreamed(upTo: remaining, from: &input) else { return events }
                events.append(.recordsBytes(piece))
                step = remaining == piece.readableBytes ? afterRecords() : .streaming(remaining: remaining - piece.readableBytes)
                if case .finished = step { finish(&events) }
                continue
            }
            if try parseStep(&events) { continue }
            let available = min(input.readableBytes, unreadInFrame)
            guard available > 0 else {
                if unreadInFrame == 0 {
                    throw KafkaProtocolError(.truncated, "Produce request ended inside its fields")
                }
                return events
            }
            var bytes = input.readSlice(length: available)!
            pending.writeBuffer(&bytes)
            unreadInFrame -= available
        }
    }

    /// A piece of streamed records: first what is pending, then straight from the input.
    private mutating func takeStreamed(upTo remaining: Int, from input: inout ByteBuffer) -> ByteBuffer? {
        if pending.readableBytes > 0 {
            return pending.readSlice(length: min(remaining, pending.readableBytes))
        }
        let count = min(remaining, input.readableBytes, unreadInFrame)
        guard count > 0 else { return nil }
        unreadInFrame -= count
        return input.readSlice(length: count)
    }

    /// Parses the current step from `pending`; false when more bytes are needed.
    private mutating func parseStep(_ events: inout [Event]) throws -> Bool {
        var buffer = pending
        do {
            try parse(&buffer, &events)
        } catch let error as KafkaProtocolError where error.kind == .truncated || error.kind == .invalidLength {
            // Not all there yet: wait for more, within the frame and the prefix limit.
            guard unreadInFrame > 0 else { throw error }
            guard pending.readableBytes <= prefixLimit else {
                throw KafkaProtocolError(.invalidLength, "Produce request fields before the records exceed \(prefixLimit) bytes")
            }
            return false
        }
        pending = buffer
        return true
    }

    private mutating func parse(_ buffer: inout ByteBuffer, _ events: inout [Event]) throws {
        switch step {
        case .header:
            let header = try KafkaRequestHeader(from: &buffer)
            guard header.apiKey == .produce, Self.versions.contains(header.apiVersion) else {
                throw KafkaProtocolError(.unsupportedVersion, "streaming parser reads Produce v3-v9, not \(header.apiKey) v\(header.apiVersion)")
            }
            version = header.apiVersion
            flexible = ProduceRequest.isFlexible(version)
            events.append(.header(header))
            step = .requestFields
        case .requestFields:
            let transactionalId = try buffer.readKafkaNullableString(compact: flexible)
            let acks = try buffer.readKafkaInt16()
            let timeout = try buffer.readKafkaInt32()
            let topics = try buffer.readKafkaArrayCount(compact: flexible) ?? 0
            request.transactionalId = transactionalId
            request.acks = acks
            request.timeoutMs = timeout
            topicsLeft = topics
            step = topicsLeft > 0 ? .topic : (flexible ? .requestTags : .finished)
        case .topic:
            var topic = ProduceRequest.TopicProduceData()
            topic.name = try buffer.readKafkaString(compact: flexible)
            partitionsLeft = try buffer.readKafkaArrayCount(compact: flexible) ?? 0
            request.topicData.append(topic)
            topicsLeft -= 1
            step = partitionsLeft > 0 ? .partition : afterPartitions()
        case .partition:
            let index = try buffer.readKafkaInt32()
            let length = flexible ? Int(try buffer.readKafkaUnsignedVarint()) - 1 : Int(try buffer.readKafkaInt32())
            guard length >= -1, length <= buffer.readableBytes + unreadInFrame else {
                throw KafkaProtocolError(.corruptRecordBatch, "records length \(length) does not fit the \(buffer.readableBytes + unreadInFrame) bytes left in the frame")
            }
            var partition = ProduceRequest.PartitionProduceData()
            partition.index = index
            partition.records = nil
            request.topicData[request.topicData.count - 1].partitionData.append(partition)
            partitionsLeft -= 1
            if length >= streamThreshold {
                streamed.append((request.topicData.count - 1, request.topicData[request.topicData.count - 1].partitionData.count - 1))
                events.append(.recordsStart(length: length))
                step = .streaming(remaining: length)
            } else if length >= 0 {
                step = .records(length: length)
            } else {
                step = afterRecords()
            }
        case .records(let length):
            guard let bytes = buffer.readSlice(length: length) else {
                throw KafkaProtocolError.truncated("records", needed: length, available: buffer.readableBytes)
            }
            let topic = request.topicData.count - 1
            request.topicData[topic].partitionData[request.topicData[topic].partitionData.count - 1].records = KafkaRecords(bytes: bytes)
            step = afterRecords()
        case .partitionTags:
            try buffer.readKafkaTaggedFields { _, _ in }
            step = partitionsLeft > 0 ? .partition : afterPartitions()
        case .topicTags:
            try buffer.readKafkaTaggedFields { _, _ in }
            step = topicsLeft > 0 ? .topic : .requestTags
        case .requestTags:
            try buffer.readKafkaTaggedFields { _, _ in }
            step = .finished
        case .streaming, .skippingTrailingBytes, .finished:
            return
        }
        if case .finished = step {
            // Like Kafka, ignore bytes after the request (see the request handler).
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            finish(&events)
        }
    }

    /// Reports the whole request; bytes of the frame after it are skipped.
    private mutating func finish(_ events: inout [Event]) {
        pending.clear()
        if unreadInFrame > 0 { step = .skippingTrailingBytes }
        events.append(.finished(request, streamed: streamed))
    }

    private func afterRecords() -> Step {
        if flexible { return .partitionTags }
        return partitionsLeft > 0 ? .partition : afterPartitions()
    }

    private func afterPartitions() -> Step {
        if flexible { return .topicTags }
        return topicsLeft > 0 ? .topic : .finished
    }
}
