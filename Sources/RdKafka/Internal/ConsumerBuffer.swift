import NIOConcurrencyHelpers

/// What the buffer needs to know of a message.
protocol BufferedMessage: Sendable {
    var topicPartition: KafkaTopicPartition { get }
    var offset: Int64 { get }
    /// The bytes it counts against the buffer's limit.
    var byteCount: Int { get }
}

extension KafkaConsumerMessage: BufferedMessage {}

/// The hand-off between a consumer's poll thread and the tasks reading its
/// messages: a FIFO of messages and errors, bounded by count and bytes (the
/// poll thread asks ``isFull`` and pauses fetching), with waiting readers
/// woken in order. The count is of messages waiting here; the bytes are of
/// every message appended and not yet ``released(bytes:)``, also those a
/// reader still holds, so a reader that keeps a large record's value in
/// librdkafka's buffer keeps the next one from being fetched until it lets go.
final class ConsumerBuffer<Message: BufferedMessage>: Sendable {
    enum Entry: Sendable {
        case message(Message)
        case error(KafkaClientError)
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Outcome, Never>
    }

    private struct State {
        /// Taken entries are set to nil at once: a message holds librdkafka's
        /// whole fetch response, which must not outlive its reading.
        var entries: [Entry?] = []
        var head = 0
        /// Bytes of messages appended and not yet released.
        var bytes = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        /// Waiters whose timeout fired before they were registered.
        var timedOutEarly: Set<UInt64> = []
        var finished = false

        var count: Int { entries.count - head }

        mutating func popFirst() -> Entry? {
            guard head < entries.count, let entry = entries[head] else { return nil }
            entries[head] = nil
            head += 1
            if head > 64 && head * 2 > entries.count {
                entries.removeFirst(head)
                head = 0
            }
            return entry
        }
    }

    private let maximumCount: Int
    private let maximumBytes: Int
    private let state = NIOLockedValueBox(State())
    /// Called (from a reader) when the buffer drains to its resume mark.
    private let onDrained: @Sendable () -> Void

    init(maximumCount: Int, maximumBytes: Int, onDrained: @escaping @Sendable () -> Void = {}) {
        self.maximumCount = max(1, maximumCount)
        self.maximumBytes = max(1, maximumBytes)
        self.onDrained = onDrained
    }

    /// Whether the buffer holds its maximum count or bytes.
    var isFull: Bool {
        state.withLockedValue { $0.count >= maximumCount || $0.bytes >= maximumBytes }
    }

    /// Readers waiting for an entry now.
    var waiterCount: Int {
        state.withLockedValue { $0.waiters.count }
    }

    /// Whether the buffer has drained to half its limits, so fetching may resume.
    var isBelowResumeMark: Bool {
        state.withLockedValue { isBelowResumeMark($0) }
    }

    private func isBelowResumeMark(_ state: State) -> Bool {
        state.count <= maximumCount / 2 && state.bytes <= maximumBytes / 2
    }

    /// Counts `bytes` of a message as given back (its last reference went);
    /// draining to the resume mark this way wakes the poll thread too.
    func released(bytes: Int) {
        let drained = state.withLockedValue { state in
            let wasFull = !isBelowResumeMark(state)
            state.bytes -= bytes
            return wasFull && isBelowResumeMark(state)
        }
        if drained { onDrained() }
    }

    /// Bytes of messages appended and not yet released.
    var heldBytes: Int {
        state.withLockedValue { $0.bytes }
    }

    /// Adds an entry, or hands it straight to a waiting reader.
    func append(_ entry: Entry) {
        let waiter = state.withLockedValue { state -> Waiter? in
            // Counted even when dropped: every message releases its bytes when it goes.
            if case .message(let message) = entry { state.bytes += message.byteCount }
            guard !state.finished else { return nil }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.entries.append(entry)
            return nil
        }
        waiter?.continuation.resume(returning: .entry(entry))
    }

    /// The next entry; waits while the buffer is empty. `nil` once the buffer
    /// is finished and empty, or when the calling task is cancelled.
    func next() async -> Entry? {
        if case .entry(let entry) = await wait(timeout: nil) { return entry }
        return nil
    }

    /// What ``next(timeout:)`` returns.
    enum Outcome: Sendable {
        case entry(Entry)
        /// Nothing arrived in time.
        case timedOut
        /// The buffer is finished and empty, or the calling task was cancelled.
        case ended
    }

    /// The next entry, waiting at most `timeout` for one.
    func next(timeout: Duration) async -> Outcome {
        await wait(timeout: timeout)
    }

    private func wait(timeout: Duration?) async -> Outcome {
        let (entry, id, drained): (Entry?, UInt64?, Bool) = state.withLockedValue { state in
            let wasFull = !isBelowResumeMark(state)
            if let entry = state.popFirst() { return (entry, nil, wasFull && isBelowResumeMark(state)) }
            if state.finished { return (nil, nil, false) }
            state.nextWaiterID += 1
            return (nil, state.nextWaiterID, false)
        }
        if drained { onDrained() }
        guard let id else { return entry.map(Outcome.entry) ?? .ended }
        let timer = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled else { return }
                self?.resumeWaiter(id, with: .timedOut)
            }
        }
        defer {
            timer?.cancel()
            // A timeout that fired after the wait ended on its own is forgotten.
            if timeout != nil { state.withLockedValue { _ = $0.timedOutEarly.remove(id) } }
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate: Outcome? = state.withLockedValue { state in
                    if Task.isCancelled || state.finished { return .ended }
                    if let entry = state.popFirst() { return .entry(entry) }
                    if state.timedOutEarly.remove(id) != nil { return .timedOut }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            resumeWaiter(id, with: .ended)
        }
    }

    /// Resumes waiter `id`, if it waits; a timeout that comes before the
    /// waiter is registered is remembered for it.
    private func resumeWaiter(_ id: UInt64, with outcome: Outcome) {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else {
                if case .timedOut = outcome { state.timedOutEarly.insert(id) }
                return nil
            }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: outcome)
    }

    /// Removes the messages of `partitions` and returns, per partition, the
    /// offset of the first one removed.
    @discardableResult
    func remove(partitions: Set<KafkaTopicPartition>) -> [KafkaTopicPartition: Int64] {
        // The removed entries go after the lock is left: a message gone releases its bytes.
        let (firstRemoved, _) = state.withLockedValue { state in
            var firstRemoved: [KafkaTopicPartition: Int64] = [:]
            var kept: [Entry] = []
            var removed: [Entry] = []
            for case let entry? in state.entries[state.head...] {
                if case .message(let message) = entry, partitions.contains(message.topicPartition) {
                    if firstRemoved[message.topicPartition] == nil { firstRemoved[message.topicPartition] = message.offset }
                    removed.append(entry)
                } else {
                    kept.append(entry)
                }
            }
            state.entries = kept
            state.head = 0
            return (firstRemoved, removed)
        }
        return firstRemoved
    }

    /// The offset of the first buffered message of `partition`, if any.
    func firstOffset(of partition: KafkaTopicPartition) -> Int64? {
        state.withLockedValue { state in
            for case let entry? in state.entries[state.head...] {
                if case .message(let message) = entry, message.topicPartition == partition { return message.offset }
            }
            return nil
        }
    }

    /// Ends the buffer: what is left is dropped (its offsets were not
    /// stored, so it is consumed again after a restart), waiting and later
    /// readers get `nil`, later appends are dropped.
    func finish() {
        // The dropped entries go after the lock is left: a message gone releases its bytes.
        let (waiters, _) = state.withLockedValue { state in
            state.finished = true
            defer {
                state.entries = []
                state.head = 0
                state.waiters = []
            }
            return (state.waiters, state.entries)
        }
        for waiter in waiters { waiter.continuation.resume(returning: .ended) }
    }
}
