import KafkaValues

/// Reassembly as a state machine: records go in, actions come out
/// (``ReassemblyAction``), and the caller performs them. Holds no payload
/// bytes. Tracks, per partition, which messages are outstanding so that
/// commits never pass one not yet handled (see ``CommitMetadata``).
package struct ReassemblyState {
    package struct Settings {
        package var delivery: BargeDelivery
        package var expireAfterRecords: Int64
        package var expireAfterIdle: Duration
        package var limits: BargeWireLimits
        /// Foreign formats read from records that are not Barge's.
        package var interop: Set<InteropFormat>

        package init(
            delivery: BargeDelivery = .whenComplete, expireAfterRecords: Int64 = 100_000, expireAfterIdle: Duration = .seconds(300),
            limits: BargeWireLimits = BargeWireLimits(), interop: Set<InteropFormat> = []
        ) {
            self.delivery = delivery
            self.expireAfterRecords = expireAfterRecords
            self.expireAfterIdle = expireAfterIdle
            self.limits = limits
            self.interop = interop
        }
    }

    /// Something the application is handed (a message or a failure event)
    /// or is reading; its partition commits stop at its first offset until
    /// it is both finished and acknowledged.
    private struct Item {
        let topicPartition: KafkaTopicPartition
        let firstOffset: Int64
        var finished: Bool
        var acknowledged = false
        /// Never settles: the consumer stopped at it (``BadRecordPolicy/stop``).
        var held = false
    }

    package let settings: Settings
    private var partitions: [KafkaTopicPartition: PartitionState] = [:]
    private var items: [Int: Item] = [:]
    private var nextToken = 0

    package init(settings: Settings) {
        self.settings = settings
    }

    // MARK: Partitions

    /// Whether `partition` needs ``restore(_:committed:firstOffset:)`` before its first record.
    package func needsRestore(_ partition: KafkaTopicPartition) -> Bool {
        partitions[partition] == nil
    }

    /// Starts tracking `partition` from what was committed for it, before
    /// its first record, at `firstOffset`. Chunks of unknown messages below
    /// the restored read position are known to belong to messages handled
    /// before only when reading resumed exactly at the committed offset
    /// (not after retention deleted records, or from another start offset).
    package mutating func restore(_ partition: KafkaTopicPartition, committed: KafkaPartitionOffset?, firstOffset: Int64) {
        var state = PartitionState()
        if let committed, committed.offset >= 0, let metadata = CommitMetadata(text: committed.metadata, committed: committed.offset) {
            state.restoredReadPosition = metadata.readPosition
            state.resumedAtCommit = firstOffset == committed.offset
            state.handled = Set(metadata.handled)
        }
        partitions[partition] = state
    }

    /// Forgets `revoked` partitions: their messages are discarded (the next
    /// owner reads them again from the committed offset).
    package mutating func drop(_ revoked: Set<KafkaTopicPartition>) -> [ReassemblyAction] {
        var actions: [ReassemblyAction] = []
        for partition in revoked {
            guard let state = partitions.removeValue(forKey: partition) else { continue }
            for assembly in state.assemblies.values {
                actions.append(.discard(token: assembly.token, error: assembly.failure(.revoked, "partition \(partition) was revoked")))
            }
        }
        for (token, item) in items where revoked.contains(item.topicPartition) {
            items[token] = nil
            actions.append(.discard(token: token, error: BargeConsumerError(.revoked, "partition \(item.topicPartition) was revoked", topicPartition: item.topicPartition)))
        }
        return actions
    }

    // MARK: Records

    /// Takes the next record of its partition.
    package mutating func receive(_ record: KafkaConsumerMessage, now: ContinuousClock.Instant) -> [ReassemblyAction] {
        let partition = record.topicPartition
        // Taken out while the record is handled, so that it cannot be missing; a
        // partition seen for the first time starts as restored without a commit.
        var state = partitions.removeValue(forKey: partition) ?? PartitionState()
        defer { partitions[partition] = state }
        var actions = expireByRecords(in: &state, partition, offset: record.offset)
        let readBefore = record.offset < state.restoredReadPosition
        let seenBefore = readBefore && state.resumedAtCommit
        let handledBefore = readBefore && state.handled.contains(record.offset)
        state.position = record.offset + 1
        let envelope: BargeEnvelope
        do {
            envelope = try BargeEnvelope(headers: record.headers, limits: settings.limits)
        } catch {
            guard !handledBefore else { return actions }
            actions.append(malformed(record, error, in: &state))
            return actions
        }
        switch envelope {
        case .plain:
            if !settings.interop.isEmpty,
               let foreign = foreign(record, seenBefore: seenBefore, handledBefore: handledBefore, now: now, in: &state) {
                return actions + foreign
            }
            guard !handledBefore else { return actions }
            let info = BargeMessageInfo(
                kind: .plain, topicPartition: partition, offset: record.offset, key: record.key, headers: record.headers,
                timestamp: record.timestamp, size: Int64(record.value?.count ?? 0)
            )
            actions.append(.deliver(token: newItem(partition, record.offset, finished: true), info: info, payload: record.value ?? []))
        case .inline(let header):
            guard !handledBefore else { return actions }
            actions.append(inline(header, record: record))
        case .chunk(let header):
            actions += chunk(header, record: record, seenBefore: seenBefore, handledBefore: handledBefore, now: now, in: &state)
        case .abort(let header):
            actions += abort(header, record: record, in: &state)
        case .reference(let header):
            guard !handledBefore else { return actions }
            let info = BargeMessageInfo(
                kind: .claimCheck, topicPartition: partition, offset: record.offset, key: record.key, headers: header.applicationHeaders,
                timestamp: record.timestamp, id: header.id, size: header.size, sha256: header.sha256,
                contentType: header.contentType, fileName: header.fileName, objectURL: header.objectURL
            )
            // Handled only once its payload was read (or dropped unread): see `finishReference`.
            actions.append(.deliverReference(token: newItem(partition, record.offset, finished: false), info: info, reference: header, record: record))
        }
        return actions
    }

    /// Expires messages idle for longer than the settings allow.
    package mutating func expireIdle(now: ContinuousClock.Instant) -> [ReassemblyAction] {
        var actions: [ReassemblyAction] = []
        for partition in Array(partitions.keys) {
            guard var state = partitions.removeValue(forKey: partition) else { continue }
            for (id, assembly) in state.assemblies where now - assembly.lastActivity > settings.expireAfterIdle {
                actions.append(expire(id, assembly, in: &state, "no chunk for \(settings.expireAfterIdle) (received \(assembly.nextIndex) chunks)"))
            }
            partitions[partition] = state
        }
        return actions
    }

    /// A record whose Barge headers break the wire format. If it names a
    /// message being assembled (a malformed chunk after good ones), that
    /// message fails with it at once, rather than waiting to expire.
    private mutating func malformed(_ record: KafkaConsumerMessage, _ error: BargeWireError, in state: inout PartitionState) -> ReassemblyAction {
        let partition = record.topicPartition
        let id = BargeEnvelope.messageID(in: record.headers)
        if let id, let assembly = state.assemblies[id] {
            let failure = assembly.failure(.malformedRecord, "record \(record.offset) of the message is malformed: \(error)", offset: record.offset)
            return finishFailed(id, assembly, in: &state, failure, lastOffset: record.offset, isLast: false, record: record)
        }
        let failure = BargeConsumerError(.malformedRecord, "\(error)", topicPartition: partition, id: id, firstOffset: record.offset, lastOffset: record.offset)
        return failureEvent(failure, record: record)
    }

    private mutating func inline(_ header: BargeInlineHeader, record: KafkaConsumerMessage) -> ReassemblyAction {
        let partition = record.topicPartition
        let value = record.value ?? []
        let payload: [UInt8]
        do throws(BargeWireError) {
            guard header.size <= Int64(settings.limits.maximumChunkSize) else {
                throw BargeWireError(.outOfRange, BargeHeaderName.size, "inline payload of \(header.size) bytes is over the reader's limit of \(settings.limits.maximumChunkSize)")
            }
            payload = try ChunkCodec.decompress(value, with: header.codec, expectedSize: Int(header.size))
            guard BargeDigest.sha256(of: payload) == header.sha256 else {
                return failureEvent(BargeConsumerError(.corrupt, "SHA-256 of the \(payload.count) bytes does not match barge.sha256", topicPartition: partition, id: header.id, firstOffset: record.offset, lastOffset: record.offset), record: record)
            }
        } catch {
            return failureEvent(BargeConsumerError(.corrupt, error.message, topicPartition: partition, id: header.id, firstOffset: record.offset, lastOffset: record.offset), record: record)
        }
        let info = BargeMessageInfo(
            kind: .inline, topicPartition: partition, offset: record.offset, key: record.key, headers: header.applicationHeaders,
            timestamp: record.timestamp, id: header.id, size: header.size, sha256: header.sha256,
            contentType: header.contentType, fileName: header.fileName
        )
        return .deliver(token: newItem(partition, record.offset, finished: true), info: info, payload: payload)
    }

    /// Takes a chunk; `foreign` is a foreign format's segment (its format,
    /// and its slice, which stands for the record's value).
    mutating func chunk(
        _ header: BargeChunkHeader, record: KafkaConsumerMessage, seenBefore: Bool, handledBefore: Bool, now: ContinuousClock.Instant,
        in state: inout PartitionState, foreign: (format: InteropFormat, slice: [UInt8])? = nil
    ) -> [ReassemblyAction] {
        let partition = record.topicPartition
        let offset = record.offset
        if state.ignored[header.id] != nil {
            state.ignore(header.id, at: offset, isLast: header.isLast)
            return []
        }
        guard var assembly = state.assemblies[header.id] else {
            if header.index == 0 && handledBefore {
                state.ignore(header.id, at: offset, isLast: header.isLast)
                return []
            }
            if header.index == 0 { return start(header, record: record, now: now, in: &state, foreign: foreign) }
            state.ignore(header.id, at: offset, isLast: header.isLast)
            // Below the restored read position it belongs to a message handled before the restart.
            guard !seenBefore else { return [] }
            let failure = BargeConsumerError(
                .startedMidMessage, "first chunk seen has index \(header.index); the earlier ones are gone (retention) or before the start offset",
                topicPartition: partition, id: header.id, firstOffset: offset, lastOffset: offset
            )
            return [failureEvent(failure, record: record)]
        }
        if header.index < assembly.nextIndex { return [] }
        if header.index > assembly.nextIndex {
            let failure = assembly.failure(.missingChunk, "chunk \(header.index) arrived after chunk \(assembly.nextIndex - 1): chunks \(assembly.nextIndex)..<\(header.index) are missing", offset: offset)
            return [finishFailed(header.id, assembly, in: &state, failure, lastOffset: offset, isLast: header.isLast, record: record)]
        }
        let accepted: (bytes: [UInt8], isComplete: Bool)
        do {
            accepted = try assembly.accept(header, value: foreign?.slice ?? record.value ?? [], offset: offset, now: now)
        } catch {
            return [finishFailed(header.id, assembly, in: &state, error, lastOffset: offset, isLast: header.isLast, record: record)]
        }
        var actions: [ReassemblyAction] = [.append(token: assembly.token, bytes: accepted.bytes)]
        if accepted.isComplete {
            state.assemblies[header.id] = nil
            state.ignore(header.id, at: offset, isLast: true)
            items[assembly.token]?.finished = true
            actions.append(.seal(token: assembly.token, info: assembly.currentInfo))
            if !assembly.isDelivered {
                actions.append(.deliver(token: assembly.token, info: assembly.currentInfo, payload: nil))
            }
        } else {
            state.assemblies[header.id] = assembly
        }
        return actions
    }

    private mutating func start(
        _ header: BargeChunkHeader, record: KafkaConsumerMessage, now: ContinuousClock.Instant, in state: inout PartitionState,
        foreign: (format: InteropFormat, slice: [UInt8])?
    ) -> [ReassemblyAction] {
        let partition = record.topicPartition
        var assembly = Assembly(
            token: newItem(partition, record.offset, finished: false), record: record, header: header, now: now, interop: foreign?.format
        )
        var actions: [ReassemblyAction] = [.open(token: assembly.token, info: assembly.currentInfo)]
        if settings.delivery == .progressive {
            assembly.isDelivered = true
            actions.append(.deliver(token: assembly.token, info: assembly.currentInfo, payload: nil))
        }
        state.assemblies[header.id] = assembly
        return actions + chunk(header, record: record, seenBefore: false, handledBefore: false, now: now, in: &state, foreign: foreign)
    }

    private mutating func abort(_ header: BargeAbortHeader, record: KafkaConsumerMessage, in state: inout PartitionState) -> [ReassemblyAction] {
        guard let assembly = state.assemblies[header.id] else {
            state.ignore(header.id, at: record.offset, isLast: true)
            return []
        }
        let failure = assembly.failure(.aborted, "the producer gave up: \(header.reason ?? "no reason given")", offset: record.offset)
        return [finishFailed(header.id, assembly, in: &state, failure, lastOffset: record.offset, isLast: true, record: record)]
    }

    private mutating func expireByRecords(in state: inout PartitionState, _ partition: KafkaTopicPartition, offset: Int64) -> [ReassemblyAction] {
        let limit = settings.expireAfterRecords
        state.pruneIgnored(before: offset - limit)
        return state.assemblies.filter { offset - $0.value.lastOffset > limit }.map { id, assembly in
            expire(id, assembly, in: &state, "no chunk in the \(offset - assembly.lastOffset) records after offset \(assembly.lastOffset) (limit \(limit))")
        }
    }

    private mutating func expire(_ id: BargeMessageID, _ assembly: Assembly, in state: inout PartitionState, _ why: String) -> ReassemblyAction {
        finishFailed(id, assembly, in: &state, assembly.failure(.expired, why), lastOffset: assembly.lastOffset, isLast: false, record: nil)
    }

    /// Ends `assembly` (message `id`) with `failure` (caused by `record`, if
    /// one record did); later chunks of it are ignored.
    private mutating func finishFailed(
        _ id: BargeMessageID, _ assembly: Assembly, in state: inout PartitionState, _ failure: BargeConsumerError, lastOffset: Int64,
        isLast: Bool, record: KafkaConsumerMessage?
    ) -> ReassemblyAction {
        state.assemblies[id] = nil
        state.ignore(id, at: lastOffset, isLast: isLast)
        items[assembly.token]?.finished = true
        return .fail(token: assembly.token, error: failure, notify: !assembly.isDelivered, record: record)
    }

    /// A failure event about `record` alone.
    mutating func failureEvent(_ failure: BargeConsumerError, record: KafkaConsumerMessage) -> ReassemblyAction {
        .fail(token: newItem(record.topicPartition, record.offset, finished: true), error: failure, notify: true, record: record)
    }

    mutating func newItem(_ partition: KafkaTopicPartition, _ offset: Int64, finished: Bool) -> Int {
        nextToken += 1
        items[nextToken] = Item(topicPartition: partition, firstOffset: offset, finished: finished)
        return nextToken
    }

    // MARK: Offsets

    /// The application is done with `token`'s event (it asked for the next
    /// one, or committed).
    package mutating func acknowledge(_ token: Int) {
        items[token]?.acknowledged = true
        settle(token)
    }

    /// Claim check `token` was read to its end, failed for good (corrupt,
    /// missing), or was dropped unread: once acknowledged it counts as
    /// handled. A claim check whose store could not be read is never
    /// finished, so commits stay below it and it is delivered again after a
    /// restart or rebalance.
    package mutating func finishReference(_ token: Int) {
        items[token]?.finished = true
        settle(token)
    }

    /// `token` is a bad record the consumer stops at: it never counts as
    /// handled, so no commit passes its first offset.
    package mutating func hold(_ token: Int) {
        items[token]?.held = true
    }

    private mutating func settle(_ token: Int) {
        guard let item = items[token], item.finished, item.acknowledged, !item.held else { return }
        items[token] = nil
        partitions[item.topicPartition]?.handled.insert(item.firstOffset)
    }

    /// Offsets to commit now, each with its ``CommitMetadata``: for every
    /// partition read (or only `only`), the safe offset. A partition whose
    /// metadata would not fit Kafka's limit is left out this time.
    package mutating func commitOffsets(only: Set<KafkaTopicPartition>? = nil) -> [KafkaPartitionOffset] {
        for token in items.keys { settle(token) }
        var outstanding: [KafkaTopicPartition: Int64] = [:]
        for item in items.values {
            outstanding[item.topicPartition] = min(outstanding[item.topicPartition] ?? .max, item.firstOffset)
        }
        var offsets: [KafkaPartitionOffset] = []
        for (partition, state) in partitions where only?.contains(partition) ?? true {
            guard let position = state.position else { continue }
            let safe = min(outstanding[partition] ?? position, position)
            let handled = state.handled.filter { $0 >= safe }
            partitions[partition]?.handled = handled
            let readPosition = max(position, state.restoredReadPosition)
            let metadata = CommitMetadata(readPosition: readPosition, handled: Array(handled))
            guard let text = metadata.text(committed: safe) else { continue }
            offsets.append(KafkaPartitionOffset(partition, offset: safe, metadata: text))
        }
        return offsets
    }

    /// Messages being assembled, for tests and metrics.
    package var assemblingCount: Int { partitions.values.reduce(0) { $0 + $1.assemblies.count } }
}

/// Reassembly state of one partition.
package struct PartitionState {
    /// The offset after the last record taken.
    package var position: Int64?
    /// Records below this offset were read before a restart.
    package var restoredReadPosition: Int64 = -1
    /// Whether reading resumed at the committed offset, so that every
    /// record between it and ``restoredReadPosition`` is seen again.
    package var resumedAtCommit = false
    /// Records taken since the ignored messages were last pruned.
    package var recordsSincePrune = 0
    /// First offsets, at or above the committed offset, of messages handled.
    package var handled: Set<Int64> = []
    package var assemblies: [BargeMessageID: Assembly] = [:]
    /// Messages whose further chunks are dropped (complete, failed, or
    /// handled before a restart), with the offset of their newest record.
    package var ignored: [BargeMessageID: Int64] = [:]

    package mutating func ignore(_ id: BargeMessageID, at offset: Int64, isLast: Bool) {
        ignored[id] = isLast ? offset : max(offset, ignored[id] ?? offset)
    }

    /// Forgets ignored messages quiet since before `offset` (every 1024
    /// records, not to scan on each).
    package mutating func pruneIgnored(before offset: Int64) {
        recordsSincePrune += 1
        guard !ignored.isEmpty, recordsSincePrune >= 1024 else { return }
        recordsSincePrune = 0
        ignored = ignored.filter { $0.value >= offset }
    }
}
