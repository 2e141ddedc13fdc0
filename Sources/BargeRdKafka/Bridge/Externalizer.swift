import Barge
import ObjectStore
import RdKafka

/// What the externalizing bridge writes for one source record: a value of at
/// least the threshold goes out in the output format (a Barge message, a
/// bakdata object reference, LinkedIn segments) named after the record's
/// topic, partition and offset; anything else, and a record already in
/// Barge's format, is copied (for bakdata, behind its inline flag). Either way
/// the target records keep the key, headers, timestamp and partition.
///
/// A moved value is read from librdkafka's buffer a piece at a time and
/// released once its last piece is written, so the worker holds each large
/// value once and the consumer may fetch the next while the object's fsync
/// and reference are still under way.
struct Externalizer: Sendable {
    let target: String
    let threshold: Int
    let format: BridgeOutputFormat
    let producer: LargeMessageProducer
    let store: (any ObjectStore)?
    /// LinkedIn's segment size.
    let segmentSize: Int

    /// The size of the pieces a moved value is read in, 256 KiB: small
    /// enough that each piece, and the buffer it is written from, reuses
    /// memory of the allocator's arenas instead of being mapped (and faulted
    /// in) afresh, which made copying cost as much as hashing.
    static let pieceSize = 256 << 10

    /// The id of the message made of the source record at `offset` of
    /// `partition`: the same for every attempt, so a replay stores the same
    /// object instead of a second one.
    static func messageID(topic: String, partition: Int32, offset: Int64) -> BargeMessageID {
        BargeMessageID(derivedFrom: "\(topic)/\(partition)/\(offset)")
    }

    static func messageID(of record: KafkaConsumerRecord) -> BargeMessageID {
        messageID(topic: record.topic, partition: record.partition, offset: record.offset)
    }

    /// Where the message made of that source record goes: its partition and
    /// timestamp, under its stable id.
    static func placement(topic: String, partition: Int32, offset: Int64, timestamp: KafkaTimestamp?) -> BargePlacement {
        BargePlacement(id: messageID(topic: topic, partition: partition, offset: offset), partition: partition, timestamp: timestamp?.date, isStable: true)
    }

    /// The value of `record` if it is to be moved (at least the threshold,
    /// not already Barge's); else nil, and the record is copied.
    private func movedValue(of record: KafkaConsumerRecord) -> KafkaRecordValue? {
        guard let value = record.value, value.count >= threshold, !Self.isBargeRecord(record) else { return nil }
        return value
    }

    private static func placement(of record: KafkaConsumerRecord) -> BargePlacement {
        placement(topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp)
    }

    /// Sends what it must itself and returns the records to write for
    /// `record`; counts it in `work`.
    func translate(_ record: KafkaConsumerRecord, work: inout BridgeWork) async throws -> [KafkaProducerMessage] {
        guard let value = movedValue(of: record) else {
            work.add(bytes: record.value?.count ?? 0, moved: false)
            return [try copy(of: record)]
        }
        let records: [KafkaProducerMessage]
        switch format {
        case .barge:
            _ = try await producer.send(
                value.pieces(size: Self.pieceSize), size: Int64(value.count), topic: target, key: record.key, headers: record.headers,
                placement: Self.placement(of: record)
            )
            records = []
        case .bakdata(let mode):
            records = [try await bakdataReference(for: record, value: value, mode: mode)]
        case .linkedIn(let style):
            records = try linkedInSegments(of: record, value: value, style: style)
        }
        work.add(bytes: value.count, moved: true)
        return records
    }

    /// The step of an ``OrderedOutput`` for `record` (Barge's claim checks
    /// only): a large value's object starts being stored at once, its
    /// reference follows in order; anything else is copied in order. Returns
    /// once the value is written and released (its fsync and reference may
    /// still be under way), so the wait for the next record starts when the
    /// consumer can fetch it.
    func stage(_ record: KafkaConsumerRecord, work: inout BridgeWork) async throws -> OrderedOutput.Step {
        guard let value = movedValue(of: record) else {
            work.add(bytes: record.value?.count ?? 0, moved: false)
            return .records([try copy(of: record)])
        }
        let (producer, target, placement, pieces) = (self.producer, self.target, Self.placement(of: record), value.pieces(size: Self.pieceSize))
        let (key, headers, size) = (record.key, record.headers, Int64(value.count))
        work.add(bytes: value.count, moved: true)
        let store = Task {
            // Also a store that fails before its last piece lets the value go.
            defer { value.release() }
            return try await producer.storeClaimCheck(pieces, size: size, topic: target, key: key, headers: headers, placement: placement)
        }
        await withTaskCancellationHandler {
            await value.waitUntilReleased()
        } onCancel: {
            store.cancel()
        }
        return .reference(store)
    }

    /// Whether the record already carries Barge's headers (a Barge producer
    /// wrote it): it is copied, never wrapped twice.
    static func isBargeRecord(_ record: KafkaConsumerRecord) -> Bool {
        record.headers.contains { $0.key.hasPrefix(BargeHeaderName.prefix) }
    }

    /// The record unchanged; for bakdata, a non-null value inline behind its
    /// flag, as bakdata's readers expect of every value.
    private func copy(of record: KafkaConsumerRecord) throws -> KafkaProducerMessage {
        var copy = KafkaProducerMessage(
            topic: target, partition: record.partition, key: record.key, value: try record.value?.bytes(), headers: record.headers,
            timestamp: record.timestamp?.date
        )
        if case .bakdata(let mode) = format, let value = copy.value, !Self.isBargeRecord(record) {
            let encoded = BakdataPayload(content: .inline(value), mode: mode).encoded()
            copy.value = encoded.bytes
            copy.headers += encoded.headers
        }
        return copy
    }

    /// Stores the value as an object of the S3 store under
    /// `<target>/<message id>` and returns the record naming it.
    private func bakdataReference(for record: KafkaConsumerRecord, value: KafkaRecordValue, mode: BakdataPayload.Mode) async throws -> KafkaProducerMessage {
        guard let store, case .s3(let bucket, let prefix) = store.location else {
            throw BargeBridgeError(.invalidConfiguration, "bakdata's format needs an S3 object store (its readers take s3:// URIs)")
        }
        let key = try ObjectKey("\(target)/\(Self.messageID(of: record).text)")
        _ = try await store.put(
            key, body: ByteBufferPieces(base: value.pieces(size: Self.pieceSize)), options: ObjectPutOptions(expectedSize: Int64(value.count)))
        let reference = try InteropObjectReference(bucket: bucket, key: prefix + key.rawValue)
        let encoded = BakdataPayload(content: .backed(reference), mode: mode).encoded()
        return KafkaProducerMessage(
            topic: target, partition: record.partition, key: record.key, value: encoded.bytes, headers: record.headers + encoded.headers,
            timestamp: record.timestamp?.date
        )
    }

    /// The value as LinkedIn's segments, in order, to the record's partition.
    private func linkedInSegments(of record: KafkaConsumerRecord, value: KafkaRecordValue, style: LinkedInSegment.Style) throws -> [KafkaProducerMessage] {
        let messageID = LinkedInMessageID(Self.messageID(of: record))
        let count = (value.count + segmentSize - 1) / segmentSize
        return try (0..<count).map { sequence in
            let start = sequence * segmentSize
            let segment = LinkedInSegment(
                messageID: messageID, sequence: sequence, count: count, size: value.count,
                slice: try value.bytes(start..<min(start + segmentSize, value.count))
            )
            let encoded = segment.encoded(style: style)
            return KafkaProducerMessage(
                topic: target, partition: record.partition, key: segment.recordKey(applicationKey: record.key), value: encoded.value,
                headers: record.headers + [encoded.header], timestamp: record.timestamp?.date
            )
        }
    }
}
