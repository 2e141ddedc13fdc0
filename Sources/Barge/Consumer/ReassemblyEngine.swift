import KafkaValues
import Logging

/// The I/O side of reassembly: pulls records from the consumer transport one at
/// a time (only one task pulls at once), feeds them to ``ReassemblyState``
/// and performs its actions: payload storage within the memory budget,
/// spilling beyond it, the queue of events for the application, and
/// commits. Both the application's `next()` and a progressive payload
/// reader that needs more bytes pull.
actor ReassemblyEngine: PayloadOwner {
    let consumer: any ConsumerTransport
    let configuration: LargeMessageConsumerOptions
    let logger: Logger
    var state: ReassemblyState
    private var storages: [Int: PayloadStorage] = [:]
    /// Progress of chunked messages being received (only with a progress hook).
    private var receiving: [Int: BargeReceiveProgress] = [:]
    private var memoryHeld = 0
    /// Events not yet handed out (a short queue: what one pull produced).
    private var ready: [Queued] = []
    /// Where bad records are copied under ``BadRecordPolicy/deadLetter(topic:)``.
    let deadLetters: DeadLetterWriter?
    /// The partitions this consumer owns now, from the rebalance events (or
    /// the explicit assignment); records of others are dropped, as they
    /// may have been taken from Kafka just before a revocation.
    var assigned: Set<KafkaTopicPartition> = []
    /// Tokens handed out and not yet acknowledged.
    var handedOut: [Int] = []
    /// A record taken from Kafka but not yet processed (its partition's
    /// committed state could not be fetched yet).
    private var pending: KafkaConsumerMessage?
    private var pulling = false
    private var pullWaiters: [CheckedContinuation<Void, Never>] = []
    var lastCommit = ContinuousClock.now
    var lastCommitted: [KafkaPartitionOffset] = []
    private(set) var isClosed = false
    /// Bytes spilled since creation, for tests and metrics.
    private(set) var spilledBytes: Int64 = 0

    /// What the application gets next.
    private enum Queued {
        case event(token: Int, BargeConsumerEvent)
        /// The consumer stopped at a bad record (``BadRecordPolicy/stop``), or
        /// could not copy one to the dead-letter topic: every later call throws this.
        case stop(BargeConsumerError)
    }

    /// How long one pull waits for a record before checking idle expiry and commits.
    static let pullTimeout: Duration = .seconds(1)

    init(consumer: any ConsumerTransport, configuration: LargeMessageConsumerOptions, deadLetters: DeadLetterWriter?, logger: Logger) {
        self.consumer = consumer
        self.deadLetters = deadLetters
        self.configuration = configuration
        self.logger = logger
        state = ReassemblyState(settings: .init(
            delivery: configuration.delivery, expireAfterRecords: configuration.expireAfterRecords,
            expireAfterIdle: configuration.expireAfterIdle, limits: configuration.limits, interop: configuration.interop
        ))
    }

    // MARK: Application side

    /// The next event; acknowledges the ones handed out before. `nil` once closed.
    func nextEvent() async throws -> BargeConsumerEvent? {
        acknowledgeHandedOut()
        while !isClosed {
            switch ready.first {
            case .stop(let error):
                throw error
            case .event(let token, let event):
                ready.removeFirst()
                handedOut.append(token)
                return event
            case nil:
                try await pull()
            }
        }
        return nil
    }

    /// The next bytes of message `token`'s payload, or its verified end.
    func nextPiece(of token: Int) async throws -> PayloadPiece {
        while true {
            guard let storage = storages[token] else {
                throw BargeConsumerError(.revoked, "the message is no longer available (its partition was revoked or the consumer closed)")
            }
            switch storage.read() {
            case .memory(let bytes):
                memoryHeld -= bytes.count
                return .bytes(bytes)
            case .spilled(let file, let offset, let count):
                do {
                    return .bytes(try await file.read(count: count, at: offset))
                } catch {
                    storage.fail(BargeConsumerError(.storage, "\(error)"))
                    release(token)
                    throw error
                }
            case nil:
                break
            }
            if storage.isDrained {
                // A failed payload may still hold unread bytes: release counts them off.
                release(token)
                if let failure = storage.failure { throw failure }
                return .end(storage.sealedInfo!)
            }
            guard !isClosed else { throw BargeConsumerError(.revoked, "the consumer is closed") }
            try await pull()
        }
    }

    /// Frees message `token`'s storage (read to its end, failed, discarded,
    /// or dropped by the application) and the memory it held.
    func release(_ token: Int) {
        guard let storage = storages.removeValue(forKey: token) else { return }
        memoryHeld -= storage.memoryBytes
    }

    /// Claim check `token` is settled as handled (see ``ReassemblyState/finishReference(_:)``).
    func finishReference(_ token: Int) {
        state.finishReference(token)
    }

    func acknowledgeHandedOut() {
        for token in handedOut { state.acknowledge(token) }
        handedOut = []
    }

    // MARK: Pulling

    /// Takes one record (or times out and checks idle expiry), unless
    /// another task is pulling: then waits for it to finish, so the caller
    /// can look again.
    private func pull() async throws {
        if pulling {
            await withCheckedContinuation { pullWaiters.append($0) }
            return
        }
        pulling = true
        defer {
            pulling = false
            let waiters = pullWaiters
            pullWaiters = []
            for waiter in waiters { waiter.resume() }
        }
        if pending == nil {
            switch try await consumer.nextRecord(timeout: Self.pullTimeout) {
            case .record(let record):
                pending = record
            case .timedOut:
                break
            case .closed:
                isClosed = true
                return
            }
        }
        if let record = pending {
            if assigned.contains(record.topicPartition) && state.needsRestore(record.topicPartition) {
                let committed = try await consumer.committed([record.topicPartition]).first
                state.restore(record.topicPartition, committed: committed, firstOffset: record.offset)
            }
            pending = nil
            // Checked after the await: the partition may have been revoked meanwhile.
            if assigned.contains(record.topicPartition) {
                try await perform(state.receive(record, now: .now))
            }
        }
        try await perform(state.expireIdle(now: .now))
        await commitIfDue()
    }

    // MARK: Actions

    func perform(_ actions: [ReassemblyAction]) async throws {
        for action in actions {
            switch action {
            case .open(let token, let info):
                storages[token] = PayloadStorage()
                if configuration.progress != nil { receiving[token] = BargeReceiveProgress(info) }
            case .append(let token, let bytes):
                guard let storage = storages[token], storage.failure == nil else { continue }
                storage.append(bytes)
                memoryHeld += bytes.count
                if var progress = receiving[token] {
                    progress.bytesReceived += Int64(bytes.count)
                    receiving[token] = progress
                    configuration.progress?(progress)
                }
                await keepWithinBudget()
            case .deliver(let token, let info, let payload):
                // A chunked message without storage was discarded while this list ran (revoked).
                if payload == nil && storages[token] == nil { continue }
                if payload == nil, let failure = storages[token]?.failure {
                    // Its bytes could not be kept (spilling failed): the application gets the failure instead.
                    release(token)
                    let located = BargeConsumerError(failure.kind, "the payload could not be kept: \(failure.message)",
                                                     topicPartition: info.topicPartition, id: info.id, firstOffset: info.offset)
                    ready.append(.event(token: token, .failure(located)))
                    continue
                }
                if let payload { configuration.progress?(.complete(info, size: Int64(payload.count))) }
                let message = BargeMessage(info: info, source: payload.map { .bytes($0) } ?? .stored(token: token, owner: self))
                ready.append(.event(token: token, .message(message)))
            case .deliverReference(let token, let info, let reference, let record):
                let payload = ClaimCheckPayload(
                    reference: reference, record: record, info: info, stores: configuration.objectStores,
                    keyring: configuration.encryption, retry: configuration.storeRetry, progress: configuration.progress, token: token, owner: self
                )
                ready.append(.event(token: token, .message(BargeMessage(info: info, source: .claimCheck(payload)))))
            case .deliverObject(let token, let info, let object, let record):
                let payload = InteropObjectPayload(
                    object: object, record: record, info: info, buckets: configuration.interopBuckets, stores: configuration.objectStores,
                    retry: configuration.storeRetry, progress: configuration.progress, token: token, owner: self
                )
                ready.append(.event(token: token, .message(BargeMessage(info: info, source: .interopObject(payload)))))
            case .seal(let token, let info):
                storages[token]?.seal(info)
                if var progress = receiving.removeValue(forKey: token) {
                    progress.size = info.size
                    progress.bytesVerified = progress.bytesReceived
                    configuration.progress?(progress)
                }
            case .fail(let token, let error, let notify, let record):
                receiving[token] = nil
                if let storage = storages[token] {
                    storage.fail(error)
                    if notify { release(token) }
                }
                logger.warning("message not delivered: \(error)")
                await failed(token, error, record: record, handedOver: !notify)
            case .discard(let token, let error):
                receiving[token] = nil
                storages[token]?.fail(error)
                release(token)
                ready.removeAll {
                    guard case .event(let queued, _) = $0 else { return false }
                    return queued == token
                }
                handedOut.removeAll { $0 == token }
            }
        }
    }

    // MARK: Bad records

    /// Message `token` failed with `error` (because of `record`, when one
    /// record is to blame). If the application does not have the message yet
    /// (`handedOver` false), a failure event is queued unless the bad-record
    /// policy says otherwise.
    func failed(_ token: Int, _ error: BargeConsumerError, record: KafkaConsumerMessage?, handedOver: Bool) async {
        guard error.isBadRecord else {
            if !handedOver { ready.append(.event(token: token, .failure(error))) }
            return
        }
        switch configuration.badRecords {
        case .report:
            if !handedOver { ready.append(.event(token: token, .failure(error))) }
        case .skip:
            logger.warning("bad record skipped: \(error)")
            if !handedOver { state.acknowledge(token) }
        case .stop:
            stop(at: token, error, handedOver: handedOver)
        case .deadLetter:
            do {
                try await deadLetters?.write(error, record: record)
                logger.notice("bad record copied to dead-letter topic \(deadLetters?.topic ?? ""): \(error)")
                if !handedOver { ready.append(.event(token: token, .failure(error))) }
            } catch let writeError {
                let topic = deadLetters?.topic ?? ""
                logger.error("cannot copy a bad record to dead-letter topic \(topic): \(writeError)")
                stop(at: token, error.adding("; it could not be copied to dead-letter topic \(topic): \(writeError)"), handedOver: handedOver)
            }
        }
    }

    /// The consumer stops at message `token`: it never counts as handled,
    /// and the application gets `error` after the events before it (at once
    /// when it has the message already).
    private func stop(at token: Int, _ error: BargeConsumerError, handedOver: Bool) {
        state.hold(token)
        handedOut.removeAll { $0 == token }
        if handedOver {
            ready.insert(.stop(error), at: 0)
        } else {
            ready.append(.stop(error))
        }
    }

    /// Spills the largest in-memory payloads until the total fits the budget.
    private func keepWithinBudget() async {
        while memoryHeld > configuration.memoryBudget {
            guard let (token, largest) = storages.filter({ !$0.value.isSpilling }).max(by: { $0.value.memoryBytes < $1.value.memoryBytes }),
                  let taken = largest.takeMemoryForSpill() else { return }
            memoryHeld -= taken.bytes
            do {
                var file = largest.spill
                if file == nil { file = try await SpillFile.create(in: configuration.spillDirectory, fileSystem: configuration.fileSystem) }
                guard let file else { return }
                try await file.write(taken.pieces, at: taken.offset)
                largest.spilled(taken.bytes, into: file)
                spilledBytes += Int64(taken.bytes)
            } catch {
                largest.spilled(0, into: nil)
                let failure = error as? BargeConsumerError ?? BargeConsumerError(.storage, "\(error)")
                // Its taken bytes are gone: the payload can only fail now. Commits stop
                // before it, so that it is read again after a restart (the disk may have room then).
                largest.fail(failure)
                state.hold(token)
                logger.error("spilling message \(token) failed: \(failure)")
            }
        }
    }

    /// Payload bytes held in memory now.
    var memoryInUse: Int { memoryHeld }

    func markClosed() {
        isClosed = true
        for storage in storages.values { storage.fail(BargeConsumerError(.revoked, "the consumer is closed")) }
    }
}
