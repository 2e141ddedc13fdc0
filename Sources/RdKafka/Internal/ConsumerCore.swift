import CRdKafka
import Dispatch
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Everything a consumer's poll thread does: polling into the buffer,
/// pausing fetching while the buffer is full, running queued commands
/// between polls, and handling rebalances with the application's hook.
/// Only the poll thread calls `iterate`, `rebalance` and `shutDown`.
final class ConsumerCore: Sendable {
    typealias Command = @Sendable (OpaquePointer?) -> Void

    private struct PauseState {
        /// Partitions the application paused.
        var byApplication: Set<KafkaTopicPartition> = []
        /// Partitions paused because the buffer was full.
        var forBackPressure: Set<KafkaTopicPartition> = []
    }

    let buffer: ConsumerBuffer<PolledMessage>
    /// Wakes the poll thread while it waits for the buffer to drain: signalled
    /// by draining, by new commands and by stop requests.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled by librdkafka when the consumer queue gets an entry while
    /// empty, and by ``wakeUp()``.
    private let arrivals = DispatchSemaphore(value: 0)
    /// Metadata requests in flight that nudge librdkafka to fetch after a
    /// resume; waited for before the handle is destroyed.
    private let fetchNudges = DispatchGroup()
    private let everAssigned = NIOLockedValueBox(false)
    private let hook: (@Sendable (KafkaRebalanceEvent) async -> Void)?
    private let logger: Logger
    private let commands = NIOLockedValueBox<(queue: [Command], closed: Bool)>(([], false))
    private let pauses = NIOLockedValueBox(PauseState())
    /// Set once by the consumer after librdkafka is created, before the poll thread starts.
    private let consumerQueue: NIOLockedValueBox<QueueReference?>

    /// A `rd_kafka_queue_t *` this core owns a reference to; librdkafka's queues are thread-safe.
    private struct QueueReference: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    /// Whether a nudging thread runs, and whether it should nudge once more.
    private let nudges = NIOLockedValueBox((running: false, again: false))

    /// librdkafka's `queued.max.messages.kbytes`, in bytes: a message at
    /// least this large made its fetcher back off.
    private let queuedMaximumBytes: Int
    /// Whether the last message was at least `queuedMaximumBytes` (poll thread only).
    private let largeMessagesFlow = NIOLockedValueBox(false)

    init(
        maximumBufferedMessages: Int,
        maximumBufferedBytes: Int,
        queuedMaximumBytes: Int,
        hook: (@Sendable (KafkaRebalanceEvent) async -> Void)?,
        logger: Logger
    ) {
        let (wake, arrivals) = (self.wake, self.arrivals)
        let queue = NIOLockedValueBox<QueueReference?>(nil)
        consumerQueue = queue
        // Draining wakes the poll thread, also out of a poll or a wait for
        // a large message, so it resumes fetching at once.
        self.buffer = ConsumerBuffer(maximumCount: maximumBufferedMessages, maximumBytes: maximumBufferedBytes) {
            wake.signal()
            arrivals.signal()
            queue.withLockedValue { queue in queue.map { rd_kafka_queue_yield($0.pointer) } }
        }
        self.queuedMaximumBytes = queuedMaximumBytes
        self.hook = hook
        self.logger = logger
    }

    /// Takes a reference to the consumer queue, used to wake the poll thread
    /// for commands, and has librdkafka signal ``arrivals`` when the queue
    /// gets an entry.
    func attach(_ handle: OpaquePointer) {
        consumerQueue.withLockedValue { queue in
            queue = rd_kafka_queue_get_consumer(handle).map(QueueReference.init)
            if let queue {
                rd_kafka_queue_cb_event_enable(queue.pointer, { _, opaque in
                    opaque.map { Unmanaged<DispatchSemaphore>.fromOpaque($0).takeUnretainedValue().signal() }
                }, Unmanaged.passUnretained(arrivals).toOpaque())
            }
        }
    }

    // MARK: Commands

    /// Runs `body` on the poll thread between two polls and returns its
    /// result; throws `closed` once the consumer is shutting down.
    func onPollThread<Result: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> Result) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = commands.withLockedValue { state -> Bool in
                guard !state.closed else { return false }
                state.queue.append { handle in
                    guard let handle else { return continuation.resume(throwing: KafkaClientError.closed("consumer")) }
                    continuation.resume(with: Swift.Result { try body(handle) })
                }
                return true
            }
            guard accepted else { return continuation.resume(throwing: KafkaClientError.closed("consumer")) }
            wakeUp()
        }
    }

    /// Wakes the poll thread from a poll, from waiting for a large message
    /// or from waiting for the buffer to drain.
    func wakeUp() {
        wake.signal()
        arrivals.signal()
        consumerQueue.withLockedValue { queue in queue.map { rd_kafka_queue_yield($0.pointer) } }
    }

    private func runCommands(_ handle: OpaquePointer?) {
        let queued = commands.withLockedValue { state in
            defer { state.queue = [] }
            return state.queue
        }
        for command in queued { command(handle) }
    }

    // MARK: Poll loop

    /// One turn of the poll thread.
    func iterate(_ handle: OpaquePointer) {
        runCommands(handle)
        if buffer.isBelowResumeMark {
            resumeAfterBackPressure(handle)
        } else if buffer.isFull {
            // Pause at once, and keep polling so rebalances are served: a poll
            // thread that stops polling lets librdkafka's queue fill, and
            // librdkafka 2.0 then stops fetching for about a second.
            pauseForBackPressure(handle)
        }
        let large = largeMessagesFlow.withLockedValue { $0 }
        if large, !waitUntilQueued() { return }
        guard let message = rd_kafka_consumer_poll(handle, large ? 0 : 100) else { return }
        if let error = RDKafkaMessage.error(of: message) {
            rd_kafka_message_destroy(message)
            report(error, handle: handle)
        } else {
            let polled = PolledMessage(taking: message) { [buffer] bytes in buffer.released(bytes: bytes) }
            let isLarge = polled.byteCount >= queuedMaximumBytes
            largeMessagesFlow.withLockedValue { $0 = isLarge }
            buffer.append(.message(polled))
            // The fetcher backed off when this message filled librdkafka's
            // queue; taken out, the queue has room: wake it now, not in a second.
            if isLarge, !buffer.isFull { nudgeFetcher(handle) }
        }
    }

    /// While messages at least as large as librdkafka's queue limit come,
    /// each is taken a moment after librdkafka queued it, not at once: its
    /// fetcher decides on the next fetch right after queueing one, and skips
    /// it while the queue holds a large message; a message taken before that
    /// decision lets it fetch the next one (tens of MB) although the buffer
    /// is about to pause the partition, which then drops that response. The
    /// moment makes that rare, not impossible (a fetcher thread descheduled
    /// longer still loses the race). Returns whether something is queued
    /// (else the turn ends within 100 ms, or at once for a command).
    private func waitUntilQueued() -> Bool {
        guard let queue = consumerQueue.withLockedValue({ $0 }) else { return true }
        // Signals from before are stale: the queue's length says what is there now.
        while arrivals.wait(timeout: .now()) == .success {}
        let deadline = DispatchTime.now() + .milliseconds(100)
        while rd_kafka_queue_length(queue.pointer) == 0 {
            guard !commandsWaiting, !resumeIsDue, arrivals.wait(timeout: deadline) == .success else { return false }
        }
        Thread.sleep(forTimeInterval: 0.002)
        return true
    }

    /// Whether back-pressure paused partitions and the buffer drained enough to resume them.
    private var resumeIsDue: Bool {
        !pauses.withLockedValue { $0.forBackPressure.isEmpty } && buffer.isBelowResumeMark
    }

    private var commandsWaiting: Bool {
        commands.withLockedValue { !$0.queue.isEmpty }
    }

    /// Closes the consumer (the final revoke runs the hook), fails queued
    /// commands and ends the buffer. The handle is destroyed by the caller.
    func shutDown(_ handle: OpaquePointer) {
        _ = fetchNudges.wait(timeout: .now() + .seconds(2))
        commands.withLockedValue { $0.closed = true }
        runCommands(handle)
        // librdkafka: queue references must go before rd_kafka_consumer_close.
        consumerQueue.withLockedValue { queue in
            queue.map { rd_kafka_queue_cb_event_enable($0.pointer, nil, nil) }
            queue.map { rd_kafka_queue_destroy($0.pointer) }
            queue = nil
        }
        if let error = Self.error(rd_kafka_consumer_close(handle)) {
            logger.warning("consumer close: \(error)")
        }
        runCommands(nil)
        buffer.finish()
    }

    /// Waits up to `timeout` for every message to be released (a record
    /// value a reader still holds); librdkafka's client must not be
    /// destroyed before. Returns whether all were.
    func waitForMessagesReleased(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while buffer.heldBytes > 0 {
            guard ContinuousClock.now < deadline else { return false }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return true
    }

    /// Consumer errors the application must see are put in the buffer (the
    /// message sequence throws them); the rest are retried by librdkafka and only logged.
    private func report(_ error: KafkaClientError, handle: OpaquePointer) {
        let code = rd_kafka_resp_err_t(error.code)
        if code == RD_KAFKA_RESP_ERR__PARTITION_EOF { return }
        logger.warning("consumer: \(error)")
        if code == RD_KAFKA_RESP_ERR__FATAL {
            var text = CTextBuffer()
            let original = rd_kafka_fatal_error(handle, &text.bytes, text.bytes.count)
            buffer.append(.error(KafkaClientError(original, message: text.text, isFatal: true)))
        } else if !error.isRetriable || Self.surfacedCodes.contains(code) {
            buffer.append(.error(error))
        }
    }

    private static let surfacedCodes: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION,
    ]

    /// Whether the group ever assigned partitions to this member (even none).
    var wasEverAssigned: Bool { everAssigned.withLockedValue { $0 } }

    // MARK: Pausing

    /// Partitions the application paused.
    func applicationPaused(_ partitions: [KafkaTopicPartition], _ paused: Bool) {
        pauses.withLockedValue { state in
            if paused { state.byApplication.formUnion(partitions) } else { state.byApplication.subtract(partitions) }
        }
    }

    /// Whether back-pressure currently pauses `partition`.
    func isPausedForBackPressure(_ partition: KafkaTopicPartition) -> Bool {
        pauses.withLockedValue { $0.forBackPressure.contains(partition) }
    }

    private func pauseForBackPressure(_ handle: OpaquePointer) {
        let assigned = Set(assignment(handle))
        let toPause = pauses.withLockedValue { state -> [KafkaTopicPartition] in
            let toPause = assigned.subtracting(state.byApplication).subtracting(state.forBackPressure)
            state.forBackPressure.formUnion(toPause)
            return Array(toPause)
        }
        guard !toPause.isEmpty else { return }
        logger.trace("buffer full: pausing \(toPause.count) partition(s)")
        setPaused(toPause, paused: true, handle: handle)
    }

    private func resumeAfterBackPressure(_ handle: OpaquePointer) {
        let toResume = pauses.withLockedValue { state -> [KafkaTopicPartition] in
            defer { state.forBackPressure = [] }
            return Array(state.forBackPressure.subtracting(state.byApplication))
        }
        guard !toResume.isEmpty else { return }
        logger.trace("buffer drained: resuming \(toResume.count) partition(s)")
        setPaused(toResume, paused: false, handle: handle)
        nudgeFetcher(handle)
    }

    /// librdkafka 2.0 starts fetching a resumed partition only at its broker
    /// thread's next wake-up, up to a second later; a metadata request (on a
    /// thread of its own: it blocks) wakes it at once.
    private func nudgeFetcher(_ handle: OpaquePointer) {
        // One nudging thread at a time; a nudge asked for meanwhile makes it go once more.
        let start = nudges.withLockedValue { state -> Bool in
            if state.running {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        guard start else { return }
        let handle = UncheckedPointer(pointer: handle)
        fetchNudges.enter()
        let thread = Thread { [fetchNudges, nudges] in
            nameCurrentThread("rdk-nudge")
            repeat {
                var metadata: UnsafePointer<rd_kafka_metadata>?
                if rd_kafka_metadata(handle.pointer, 0, nil, &metadata, 1000) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
                    rd_kafka_metadata_destroy(metadata)
                }
            } while nudges.withLockedValue { state in
                defer { state.again = false }
                state.running = state.again
                return state.again
            }
            fetchNudges.leave()
        }
        thread.start()
    }

    /// Pauses or resumes fetching of `partitions` in librdkafka.
    func setPaused(_ partitions: [KafkaTopicPartition], paused: Bool, handle: OpaquePointer) {
        let list = RDKafkaTopicPartitionList.make(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let result = paused ? rd_kafka_pause_partitions(handle, list) : rd_kafka_resume_partitions(handle, list)
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("\(paused ? "pause" : "resume") failed: \(KafkaClientError(result))")
        }
    }

    /// The current assignment.
    func assignment(_ handle: OpaquePointer) -> [KafkaTopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return RDKafkaTopicPartitionList.partitions(of: list)
    }

    // MARK: Rebalance

    /// librdkafka's rebalance callback: revocations run the hook before the
    /// partitions are given up, assignments after they are taken.
    func rebalance(_ handle: OpaquePointer, _ code: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let partitions = RDKafkaTopicPartitionList.partitions(of: list)
        let cooperative = String(cString: rd_kafka_rebalance_protocol(handle)) == "COOPERATIVE"
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            logger.debug("assigned: \(partitions)")
            everAssigned.withLockedValue { $0 = true }
            let failure = cooperative
                ? rd_kafka_incremental_assign(handle, list).map { KafkaClientError(consuming: $0) }
                : Self.error(rd_kafka_assign(handle, list))
            if let failure { logger.error("assign failed: \(failure)") }
            runHook(handle, KafkaRebalanceEvent(kind: .assigned, partitions: partitions, isCooperative: cooperative))
        default:
            let lost = rd_kafka_assignment_lost(handle) != 0
            logger.debug("\(lost ? "lost" : "revoked"): \(partitions)")
            buffer.remove(partitions: Set(partitions))
            // librdkafka keeps a partition's pause across unassign and reassign: lift ours.
            let paused = pauses.withLockedValue { state in
                defer {
                    state.byApplication.subtract(partitions)
                    state.forBackPressure.subtract(partitions)
                }
                return state.byApplication.union(state.forBackPressure).intersection(partitions)
            }
            if !paused.isEmpty { setPaused(Array(paused), paused: false, handle: handle) }
            runHook(handle, KafkaRebalanceEvent(kind: lost ? .lost : .revoked, partitions: partitions, isCooperative: cooperative))
            let failure = cooperative
                ? rd_kafka_incremental_unassign(handle, list).map { KafkaClientError(consuming: $0) }
                : Self.error(rd_kafka_assign(handle, nil))
            if let failure { logger.error("unassign failed: \(failure)") }
        }
    }

    private static func error(_ code: rd_kafka_resp_err_t) -> KafkaClientError? {
        code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaClientError(code)
    }

    /// Runs the application's hook to completion on the poll thread (a
    /// thread of its own, never one of Swift's cooperative pool), serving
    /// queued commands meanwhile, so the hook may seek, assign or ask for
    /// positions.
    private func runHook(_ handle: OpaquePointer, _ event: KafkaRebalanceEvent) {
        guard let hook, !event.partitions.isEmpty else { return }
        let finished = NIOLockedFlag()
        let wake = self.wake
        Task {
            await hook(event)
            _ = finished.setOnce()
            wake.signal()
        }
        while !finished.isSet {
            wake.wait()
            runCommands(handle)
        }
    }
}
