import KafkaProtocol

extension PartitionLog {
    /// What the log knows of one producer, for DescribeProducers.
    public struct ProducerDescription: Sendable, Equatable {
        public var producerId: Int64
        public var epoch: Int16
        /// The sequence of its last batch; -1 when none is remembered.
        public var lastSequence: Int32
        /// The timestamp of its last batch; -1 when none is remembered.
        public var lastTimestamp: Int64
        /// The first offset of its transaction in progress here; -1 when none is.
        public var currentTxnStartOffset: Int64
    }

    /// The last stable offset: the first offset of the oldest transaction in
    /// progress in this partition, or the log end offset when none is.
    /// read_committed consumers read up to it.
    public var lastStableOffset: Int64 { lock.withLock { lastStableOffsetLocked } }

    var lastStableOffsetLocked: Int64 {
        producerState.firstUnstableOffset ?? activeSegment.nextOffset
    }

    /// The producers with state in this partition, by producer id.
    public var producers: [ProducerDescription] {
        lock.withLock {
            producerState.producers.sorted { $0.key < $1.key }.map { id, producer in
                ProducerDescription(producerId: id, epoch: producer.epoch, lastSequence: producer.batches.last?.lastSequence ?? -1,
                                    lastTimestamp: producer.batches.last?.timestamp ?? -1,
                                    currentTxnStartOffset: producer.currentTxnFirstOffset ?? -1)
            }
        }
    }

    /// Appends a transaction marker (a control batch) for `producerId` at
    /// `producerEpoch`, as the transaction coordinator does when a
    /// transaction ends, and returns its offset. The producer's transaction
    /// here ends: the last stable offset moves on, and an abort is indexed so
    /// that read_committed consumers skip its records.
    ///
    /// A marker is written even when the producer wrote nothing here (Kafka
    /// does the same for every partition added to the transaction). Throws
    /// `invalidProducerEpoch` for an epoch older than the producer's (a
    /// zombie's marker), or `storage`.
    @discardableResult
    public func appendMarker(_ marker: ControlRecord, producerId: Int64, producerEpoch: Int16, now: Int64) throws(LogError) -> Int64 {
        try lock.withLock { () throws(LogError) -> Int64 in
            try checkOpen()
            try producerState.checkMarker(producerId: producerId, epoch: producerEpoch)
            let bytes = marker.batch(producerId: producerId, producerEpoch: producerEpoch, timestamp: now)
            let batch: RecordBatch
            do {
                batch = try RecordBatch.split(bytes)[0]
            } catch {
                throw LogError(.corruptMessage, "the transaction marker did not encode: \(error)")
            }
            let offset = activeSegment.nextOffset
            let stored = try StoredBatch(.memory(batch), baseOffset: offset, leaderEpoch: Self.leaderEpoch, logAppendTime: nil)
            var pending = producerState
            let aborted = pending.completeTransaction(producerId: producerId, epoch: producerEpoch, kind: marker.kind,
                                                      offset: offset, appendTime: now)
            try write([stored], producerState: pending, now: now)
            if let aborted { activeSegment.transactionIndex.append(aborted) }
            return offset
        }
    }

    /// The aborted transactions of the local log whose markers are at or
    /// after `offset` and whose first offsets are before `end`, oldest marker
    /// first (for reads of the remote tier, which add their own).
    public func abortedTransactions(from offset: Int64, before end: Int64) -> [AbortedTransaction] {
        lock.withLock { abortedTransactionsLocked(from: offset, before: end) }
    }

    func abortedTransactionsLocked(from offset: Int64, before end: Int64) -> [AbortedTransaction] {
        var found: [AbortedTransaction] = []
        for segment in segments[segmentIndex(containing: offset)...] {
            for entry in segment.transactionIndex.entries where entry.lastOffset >= offset && entry.firstOffset < end {
                found.append(entry)
            }
        }
        return found
    }
}
