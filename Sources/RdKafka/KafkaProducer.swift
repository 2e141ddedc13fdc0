import CRdKafka
import Foundation
import Logging
import NIOConcurrencyHelpers

/// A Kafka producer over librdkafka.
///
/// ```swift
/// let producer = try KafkaProducer(configuration: .init(bootstrapServers: ["127.0.0.1:9092"]))
/// let report = try await producer.send(KafkaProducerMessage(topic: "images", value: bytes))
/// try await producer.close()
/// ```
///
/// `send` returns once the broker acknowledged the message; `enqueue` returns
/// once librdkafka accepted it and reports failures at the next `flush`.
/// Both wait, without spinning, while ``KafkaProducerConfiguration/maximumInFlightBytes``
/// are unacknowledged or librdkafka's queue is full. librdkafka's delivery
/// reports are served by a thread of the producer's own.
public final class KafkaProducer: Sendable {
    private let handle: RDKafkaHandle
    private let core: ProducerCore
    private let pollThread: LoopingThread
    private let closed = NIOLockedFlag()
    private let flushTimeout: Duration

    /// Creates a producer. Throws `invalidConfiguration` with librdkafka's
    /// message if a setting is rejected, `unsupportedLibraryVersion` if the
    /// loaded librdkafka is too old.
    public init(configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "barge.rdkafka.producer")) throws {
        let core = ProducerCore(
            budget: ByteBudget(limit: configuration.maximumInFlightBytes), stallWatch: DeliveryStallWatch(timeout: configuration.effectiveMessageTimeout),
            logger: logger
        )
        let handle = try RDKafkaHandle(
            type: RD_KAFKA_PRODUCER,
            properties: configuration.properties,
            context: RDKafkaCallbackContext(
                logger: logger,
                connection: configuration.connection,
                onProduceError: core.stallWatch.produceFailed
            )
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        self.core = core
        self.handle = handle
        self.flushTimeout = configuration.effectiveMessageTimeout + .seconds(5)
        self.pollThread = LoopingThread(
            name: "rdk-producer",
            iteration: {
                rd_kafka_poll(handle.pointer, 100)
                if core.stallWatch.isStalled() {
                    // Nothing acknowledged for message.timeout.ms (librdkafka 2.0 does not time
                    // out messages whose leader is down): fail them, as the timeout promises.
                    logger.error("no delivery report for \(configuration.effectiveMessageTimeout): failing the messages in flight")
                    rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                }
            },
            finally: {
                // librdkafka 2.0 destroys unsent messages without a report: fail them
                // (purge), serve their reports, so no `send` waits forever.
                rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                _ = rd_kafka_flush(handle.pointer, 1000)
                handle.destroy()
            }
        )
    }

    deinit {
        pollThread.requestStop()
    }

    /// Sends `message` and returns where it was stored once the broker
    /// acknowledged it. Cancellation is honoured while waiting for in-flight
    /// room; once librdkafka has the message, `send` waits for its report.
    public func send(_ message: KafkaProducerMessage) async throws -> KafkaDeliveryReport {
        try await submit(message).report()
    }

    /// Hands `message` to librdkafka and returns at once with a handle on
    /// its delivery report. Messages submitted one after another to one
    /// partition are written in that order (with idempotence, even across
    /// retries), so a sender can pipeline many and await the reports later.
    public func submit(_ message: KafkaProducerMessage) async throws -> KafkaDelivery {
        let promise = DeliveryPromise()
        try await produce(message, promise: promise)
        return KafkaDelivery(promise: promise)
    }

    /// The number of partitions of `topic`, from the cluster's metadata,
    /// each question taking at most `timeout`. librdkafka says "timed out"
    /// only when it had a broker to ask and no answer came in time (a loaded
    /// machine), and "transport failure" when it could reach none: the first
    /// is asked again until `patience` has passed (by default not at all),
    /// the second fails at once.
    public func partitionCount(of topic: String, timeout: Duration = .seconds(10), patience: Duration = .zero) async throws -> Int {
        let deadline = ContinuousClock.now + patience
        while true {
            do {
                return try await askPartitionCount(of: topic, timeout: timeout)
            } catch let error as KafkaClientError where error.kind == .timedOut && ContinuousClock.now + timeout <= deadline {
                continue
            }
        }
    }

    private func askPartitionCount(of topic: String, timeout: Duration) async throws -> Int {
        let handle = self.handle
        return try await DedicatedThread.run(name: "rdk-metadata") {
            guard let topicHandle = rd_kafka_topic_new(handle.pointer, topic, nil) else {
                throw KafkaClientError(rd_kafka_last_error(), message: "topic \(topic)")
            }
            defer { rd_kafka_topic_destroy(topicHandle) }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            try check(rd_kafka_metadata(handle.pointer, 0, topicHandle, &metadata, Int32(clamping: timeout.milliseconds)), "metadata of \(topic)")
            guard let metadata else { throw KafkaClientError(kind: .topicError, message: "no metadata for \(topic)") }
            defer { rd_kafka_metadata_destroy(metadata) }
            guard metadata.pointee.topic_cnt == 1 else { throw KafkaClientError(kind: .topicError, message: "no metadata for \(topic)") }
            let entry = metadata.pointee.topics[0]
            guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR, entry.partition_cnt > 0 else {
                throw KafkaClientError(entry.err, kind: .topicError, message: "topic \(topic)")
            }
            return Int(entry.partition_cnt)
        }
    }

    /// A topic's settings, by Kafka name (defaults included), asked through
    /// this producer's own connection (no second client).
    public func describeTopicConfig(_ topic: String, timeout: Duration = .seconds(30)) async throws -> [String: String] {
        try await RDKafkaAdminCall.describeTopicConfig(topic, on: handle, timeout: timeout)
    }

    /// Hands `message` to librdkafka without waiting for the acknowledgement;
    /// failures are logged and the next ``flush(timeout:)`` or ``close()`` throws.
    public func enqueue(_ message: KafkaProducerMessage) async throws {
        try await produce(message, promise: nil)
    }

    /// Waits until every message handed over so far is acknowledged or has
    /// failed. Throws `deliveryFailed` (with the first failure's code) if any
    /// `enqueue`d message failed since the last flush, `timedOut` if
    /// messages are still in flight after `timeout`.
    public func flush(timeout: Duration = .seconds(30)) async throws {
        let handle = self.handle
        let result = try await DedicatedThread.run(name: "rdk-flush") {
            rd_kafka_flush(handle.pointer, Int32(clamping: timeout.milliseconds))
        }
        if let failure = core.takeFailures() { throw failure }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaClientError(result, message: "flush: \(rd_kafka_outq_len(handle.pointer)) messages still in flight")
        }
    }

    /// librdkafka's client, for the transaction calls.
    var rawHandle: OpaquePointer { handle.pointer }

    /// The failures of `enqueue`d messages since the last flush, taken.
    func deliveryFailures() -> KafkaClientError? { core.takeFailures() }

    /// Bytes handed to librdkafka and not yet acknowledged.
    public var inFlightBytes: Int { core.budget.inFlight }

    /// Sends waiting for in-flight room now.
    var sendsWaitingForRoom: Int { core.budget.waiterCount }

    /// Flushes, then stops the poll thread and destroys the client. Later
    /// sends throw `closed`. Throws like ``flush(timeout:)``; the client is
    /// destroyed either way.
    public func close() async throws {
        guard closed.setOnce() else { return }
        if core.stallWatch.stalledRecently() {
            // Messages just timed out for want of a broker: the rest would only wait as long again.
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
        }
        do {
            try await flush(timeout: flushTimeout)
        } catch {
            await pollThread.stop()
            throw error
        }
        await pollThread.stop()
    }

    private func produce(_ message: KafkaProducerMessage, promise: DeliveryPromise?) async throws {
        guard !closed.isSet else { throw KafkaClientError.closed("producer") }
        if let fatal = handle.fatalError() { throw fatal }
        let bytes = message.byteCount
        try await core.budget.acquire(bytes)
        let delivery = Unmanaged.passRetained(PendingDelivery(bytes: bytes, promise: promise, core: core)).toOpaque()
        while true {
            guard !closed.isSet else {
                Unmanaged<PendingDelivery>.fromOpaque(delivery).release()
                core.budget.release(bytes)
                throw KafkaClientError.closed("producer")
            }
            let seen = core.deliveries.generation
            core.stallWatch.handedOver()
            guard let error = RDKafkaProduce.produce(message, on: handle.pointer, opaque: delivery) else { return }
            _ = core.stallWatch.reported(delivered: false)
            guard error == RD_KAFKA_RESP_ERR__QUEUE_FULL, !closed.isSet else {
                Unmanaged<PendingDelivery>.fromOpaque(delivery).release()
                core.budget.release(bytes)
                throw KafkaClientError(error, message: "produce to \(message.topic)")
            }
            await core.deliveries.wait(after: seen)
        }
    }
}

/// Producer state that delivery reports update from the poll thread.
final class ProducerCore: Sendable {
    let budget: ByteBudget
    let stallWatch: DeliveryStallWatch
    /// Advanced on every delivery report: producers blocked on a full queue wait on it.
    let deliveries = ChangeSignal()
    let logger: Logger
    private let failures = NIOLockedValueBox<(count: Int, first: KafkaClientError?)>((0, nil))

    init(budget: ByteBudget, stallWatch: DeliveryStallWatch, logger: Logger) {
        self.budget = budget
        self.stallWatch = stallWatch
        self.logger = logger
    }

    /// Records a failed fire-and-forget delivery.
    func recordFailure(_ error: KafkaClientError) {
        logger.error("delivery failed: \(error)")
        failures.withLockedValue { state in
            state.count += 1
            if state.first == nil { state.first = error }
        }
    }

    /// The failures since the last call, as one error, and forgets them.
    func takeFailures() -> KafkaClientError? {
        let (count, first) = failures.withLockedValue { state in
            defer { state = (0, nil) }
            return state
        }
        guard let first else { return nil }
        return KafkaClientError(
            kind: .deliveryFailed,
            code: first.code,
            message: "\(count) message(s) could not be delivered; first: \(first.message)",
            isFatal: first.isFatal,
            isRetriable: first.isRetriable
        )
    }
}

/// One message between `rd_kafka_produceva` and its delivery report; passed
/// to librdkafka retained, released by the report.
final class PendingDelivery: Sendable {
    let bytes: Int
    let promise: DeliveryPromise?
    let core: ProducerCore

    init(bytes: Int, promise: DeliveryPromise?, core: ProducerCore) {
        self.bytes = bytes
        self.promise = promise
        self.core = core
    }

    func complete(_ message: UnsafePointer<rd_kafka_message_t>) {
        core.budget.release(bytes)
        let delivered = message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR
        let failedByWatch = core.stallWatch.reported(delivered: delivered)
        var result = Self.report(message)
        if !delivered && (failedByWatch || message.pointee.err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) {
            // Timed out by librdkafka or by the stall watch: say why, if the broker said.
            result = .failure(core.stallWatch.error(for: "delivery to \(RDKafkaMessage.topicName(message.pointee))-\(message.pointee.partition)"))
        }
        if let promise {
            promise.complete(result)
        } else if case .failure(let error) = result {
            core.recordFailure(error)
        }
        core.deliveries.signal()
    }

    private static func report(_ message: UnsafePointer<rd_kafka_message_t>) -> Result<KafkaDeliveryReport, KafkaClientError> {
        let topic = RDKafkaMessage.topicName(message.pointee)
        guard message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            return .failure(KafkaClientError(message.pointee.err, message: "delivery to \(topic)-\(message.pointee.partition)"))
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return .success(KafkaDeliveryReport(
            topicPartition: KafkaTopicPartition(topic: topic, partition: message.pointee.partition),
            offset: message.pointee.offset >= 0 ? message.pointee.offset : nil,
            timestamp: timestamp >= 0 ? RDKafkaMessage.date(timestamp) : nil
        ))
    }
}

/// librdkafka's delivery report callback, on the producer's poll thread.
private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = { _, message, _ in
    guard let message, let opaque = message.pointee._private else { return }
    Unmanaged<PendingDelivery>.fromOpaque(opaque).takeRetainedValue().complete(message)
}
