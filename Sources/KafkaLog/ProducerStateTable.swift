import KafkaProtocol

/// The idempotent producers a partition has seen, with the sequence numbers
/// and offsets of each one's last five batches, as Kafka keeps them
/// (`ProducerStateManager`), for duplicate and ordering checks, and the
/// first offset of each producer's transaction in progress, for the last
/// stable offset.
///
/// A value type: `PartitionLog` checks a request's batches against a copy and
/// keeps the copy only once they are written.
struct ProducerStateTable: Equatable {
    /// Batches remembered per producer: as many as a producer may have in flight.
    static let batchesPerProducer = 5
    /// How long a producer's state outlives its last append: Kafka's
    /// `producer.id.expiration.ms` default (one day).
    static let expirationMs: Int64 = 86_400_000

    /// One appended batch of a producer.
    struct Batch: Equatable {
        var firstSequence: Int32
        var lastSequence: Int32
        var firstOffset: Int64
        var lastOffset: Int64
        /// The batch's max timestamp as stored.
        var timestamp: Int64
    }

    /// What the log knows of one producer.
    struct Producer: Equatable {
        var epoch: Int16
        /// The last batches, oldest first.
        var batches: [Batch]
        /// When the producer last appended (milliseconds since the epoch), for expiry.
        var lastAppendTime: Int64
        /// The offset of the producer's first batch in its transaction in progress here; nil when none is.
        var currentTxnFirstOffset: Int64? = nil
    }

    /// What to do with an incoming batch.
    enum Verdict: Equatable {
        case append
        /// The batch was appended before: answer with its original offsets.
        case duplicate(Batch)
    }

    private(set) var producers: [Int64: Producer] = [:]
    /// The first offset of each open transaction, by producer: kept beside
    /// `producers` so that the last stable offset costs the open
    /// transactions, not every producer the partition has seen.
    private var ongoing: [Int64: Int64] = [:]

    init(producers: [Int64: Producer] = [:]) {
        self.producers = producers
        ongoing = producers.compactMapValues(\.currentTxnFirstOffset)
    }

    /// Checks a batch against its producer's state, as Kafka does for client appends:
    /// a known batch is a duplicate; an older epoch is fenced; a newer epoch must
    /// start at sequence 0; otherwise the sequence must follow the last one. A
    /// producer the log has no state for may start at any sequence (Kafka 2.5+,
    /// KIP-360: its earlier batches may have been removed by retention).
    func check(_ header: RecordBatchHeader) throws(LogError) -> Verdict {
        guard Self.isIdempotent(header), let producer = producers[header.producerId] else { return .append }
        if header.producerEpoch == producer.epoch,
           let duplicate = producer.batches.first(where: { $0.firstSequence == header.baseSequence && $0.lastSequence == header.lastSequence }) {
            return .duplicate(duplicate)
        }
        if header.producerEpoch < producer.epoch {
            throw LogError(.invalidProducerEpoch, "producer \(header.producerId) sent epoch \(header.producerEpoch), older than its current epoch \(producer.epoch)")
        }
        if header.producerEpoch > producer.epoch {
            guard header.baseSequence == 0 else {
                throw LogError(.outOfOrderSequence, "producer \(header.producerId) started epoch \(header.producerEpoch) at sequence \(header.baseSequence), not 0")
            }
            return .append
        }
        let last = producer.batches.last?.lastSequence ?? -1
        guard producer.batches.isEmpty || Self.follows(header.baseSequence, last) else {
            throw LogError(.outOfOrderSequence, "producer \(header.producerId) epoch \(header.producerEpoch) sent sequence \(header.baseSequence) after \(last); expected \(last == Int32.max ? 0 : last + 1)")
        }
        return .append
    }

    /// Records an appended batch (header as stored, offsets assigned) at
    /// `appendTime`. A transactional batch opens its producer's transaction
    /// here unless one is open already. Control batches go to `completeTransaction`.
    mutating func record(_ header: RecordBatchHeader, appendTime: Int64) {
        guard Self.isIdempotent(header), !header.attributes.isControl else { return }
        var producer = producers[header.producerId] ?? Producer(epoch: header.producerEpoch, batches: [], lastAppendTime: appendTime)
        if producer.epoch != header.producerEpoch {
            producer = Producer(epoch: header.producerEpoch, batches: [], lastAppendTime: appendTime)
        }
        producer.batches.append(Batch(firstSequence: header.baseSequence, lastSequence: header.lastSequence,
                                      firstOffset: header.baseOffset, lastOffset: header.lastOffset,
                                      timestamp: header.maxTimestamp))
        if producer.batches.count > Self.batchesPerProducer { producer.batches.removeFirst() }
        producer.lastAppendTime = max(producer.lastAppendTime, appendTime)
        if header.attributes.isTransactional, producer.currentTxnFirstOffset == nil {
            producer.currentTxnFirstOffset = header.baseOffset
        }
        producers[header.producerId] = producer
        ongoing[header.producerId] = producer.currentTxnFirstOffset
    }

    /// Checks a transaction marker of `producerId` at `epoch`: a marker of an
    /// epoch older than the producer's is refused (`invalidProducerEpoch`), as Kafka does.
    func checkMarker(producerId: Int64, epoch: Int16) throws(LogError) {
        if let producer = producers[producerId], epoch < producer.epoch {
            throw LogError(.invalidProducerEpoch, "a transaction marker of producer \(producerId) has epoch \(epoch), older than its current epoch \(producer.epoch)")
        }
    }

    /// Applies a transaction marker appended at `offset`: the producer's
    /// transaction here ends, and its epoch becomes the marker's (a newer
    /// epoch forgets its batches, as for data). Returns the aborted
    /// transaction to index when the marker aborts one that wrote here.
    @discardableResult
    mutating func completeTransaction(
        producerId: Int64, epoch: Int16, kind: ControlRecord.Kind, offset: Int64, appendTime: Int64
    ) -> AbortedTransaction? {
        var producer = producers[producerId] ?? Producer(epoch: epoch, batches: [], lastAppendTime: appendTime)
        if producer.epoch != epoch {
            producer = Producer(epoch: epoch, batches: [], lastAppendTime: appendTime, currentTxnFirstOffset: producer.currentTxnFirstOffset)
        }
        let firstOffset = producer.currentTxnFirstOffset
        producer.currentTxnFirstOffset = nil
        producer.lastAppendTime = max(producer.lastAppendTime, appendTime)
        producers[producerId] = producer
        ongoing[producerId] = nil
        guard kind == .abort, let firstOffset else { return nil }
        return AbortedTransaction(producerId: producerId, firstOffset: firstOffset, lastOffset: offset,
                                  lastStableOffset: firstUnstableOffset ?? offset + 1)
    }

    /// The first offset of the oldest transaction in progress; nil when none is.
    var firstUnstableOffset: Int64? {
        ongoing.values.min()
    }

    /// Forgets producers that have not appended for `expirationMs`, except
    /// those with a transaction in progress (the coordinator ends it).
    mutating func expire(now: Int64) {
        producers = producers.filter { now - $0.value.lastAppendTime < Self.expirationMs || $0.value.currentTxnFirstOffset != nil }
    }

    private static func isIdempotent(_ header: RecordBatchHeader) -> Bool {
        header.producerId >= 0 && header.baseSequence >= 0
    }

    /// Whether `next` is the sequence number after `last` (wrapping at Int32.max, as Kafka does).
    private static func follows(_ next: Int32, _ last: Int32) -> Bool {
        last == Int32.max ? next == 0 : next == last + 1
    }
}
