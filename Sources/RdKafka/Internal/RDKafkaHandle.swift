import CRdKafka
import Foundation
import Logging
import Metrics

/// Owns one `rd_kafka_t` and the callback context its C callbacks reach
/// through `rd_kafka_opaque`. Every `rd_kafka_conf_*` call lives here.
final class RDKafkaHandle: @unchecked Sendable {
    /// The `rd_kafka_t *`; valid until ``destroy()``.
    let pointer: OpaquePointer
    /// Kept alive as long as the handle: librdkafka holds an unretained pointer to it.
    let context: RDKafkaCallbackContext
    private let destroyed = NIOLockedFlag()

    /// Creates a client of `type` from `properties`, in order. A property
    /// librdkafka rejects throws `invalidConfiguration` with librdkafka's
    /// message; `configure` installs type-specific callbacks on the
    /// configuration before the client is created.
    init(
        type: rd_kafka_type_t,
        properties: [(String, String)],
        context: RDKafkaCallbackContext,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws {
        try LibrdkafkaVersion.check()
        // The configuration is owned here until rd_kafka_new succeeds, which takes it over.
        guard let conf = rd_kafka_conf_new() else {
            throw KafkaClientError(kind: .invalidConfiguration, message: "rd_kafka_conf_new failed")
        }
        var errorText = CTextBuffer()
        for (name, value) in properties {
            let result = rd_kafka_conf_set(conf, name, value, &errorText.bytes, errorText.bytes.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(conf)
                throw KafkaClientError(kind: .invalidConfiguration, message: Self.rejection(name: name, value: value, reason: errorText.text))
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_stats_cb(conf, statisticsCallback)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        configure(conf)
        guard let handle = rd_kafka_new(type, conf, &errorText.bytes, errorText.bytes.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaClientError(kind: .invalidConfiguration, message: errorText.text)
        }
        self.pointer = handle
        self.context = context
    }

    /// The message for a property librdkafka rejected; a secret's value is
    /// left out of it, also where librdkafka's reason quotes it.
    static func rejection(name: String, value: String, reason: String) -> String {
        let shown = KafkaConnectionConfiguration.displayValue(of: name, value)
        let reason = shown == value || value.isEmpty ? reason : reason.replacingOccurrences(of: value, with: shown)
        return "\(name)=\(shown): \(reason)"
    }

    /// Destroys the client, waiting at most `timeout`; blocking, so call it
    /// from a dedicated thread. Idempotent. librdkafka 2.0 can hang for good
    /// in `rd_kafka_destroy` when a consumer closes right after its topic
    /// was deleted (kcat shows the same); the destroy then goes on in a
    /// thread of its own, and the client's threads are left behind.
    func destroy(timeout: Duration = .seconds(10)) {
        guard destroyed.setOnce() else { return }
        let done = DispatchSemaphore(value: 0)
        let pointer = UncheckedPointer(pointer: pointer)
        // The context stays alive while librdkafka may still call back (its logs come from its own threads).
        let context = self.context
        let thread = Thread {
            nameCurrentThread("rdk-destroy")
            rd_kafka_destroy(pointer.pointer)
            withExtendedLifetime(context) {}
            done.signal()
        }
        thread.start()
        if done.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .timedOut {
            context.logger.error("librdkafka \(LibrdkafkaVersion.loadedString) did not finish destroying the client within \(timeout); leaving it behind")
        }
    }

    /// A pointer handed to the destroying thread.
    /// Gives the client up without destroying it, when destroying would
    /// abort the process (a librdkafka bug); its memory is leaked.
    func abandon() {
        guard destroyed.setOnce() else { return }
        // Its threads go on and may still log: keep the callback context for good.
        _ = Unmanaged.passRetained(context)
    }

    deinit {
        destroy()
    }

    /// The fatal error that stopped the client, if any.
    func fatalError() -> KafkaClientError? {
        var text = CTextBuffer()
        let code = rd_kafka_fatal_error(pointer, &text.bytes, text.bytes.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaClientError(code, message: text.text, isFatal: true)
    }
}

/// What librdkafka's C callbacks need: the logger, the metrics reporter and
/// the client's own error hook.
final class RDKafkaCallbackContext: @unchecked Sendable {
    let logger: Logger
    let statistics: RDKafkaStatisticsReporter
    /// Called on the consumer's poll thread when the group assigns or revokes partitions.
    let onRebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)?
    /// Called with librdkafka's text of the error a broker answered a produce
    /// request with, before librdkafka retries it (from its `msg` debug context).
    let onProduceError: (@Sendable (String) -> Void)?
    /// The connection's hook for client-wide errors (``KafkaConnectionConfiguration/onClientError``).
    let onClientError: (@Sendable (KafkaClientError) -> Void)?

    init(
        logger: Logger,
        connection: KafkaConnectionConfiguration,
        onRebalance: (@Sendable (OpaquePointer, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> Void)? = nil,
        onProduceError: (@Sendable (String) -> Void)? = nil
    ) {
        self.logger = logger
        self.statistics = RDKafkaStatisticsReporter(clientID: connection.clientID, factory: connection.metricsFactory ?? MetricsSystem.factory)
        self.onRebalance = onRebalance
        self.onProduceError = onProduceError
        self.onClientError = connection.onClientError
    }

    static func from(_ handle: OpaquePointer?) -> RDKafkaCallbackContext? {
        guard let handle, let opaque = rd_kafka_opaque(handle) else { return nil }
        return Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// librdkafka's log lines (syslog levels) to swift-log.
private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = { handle, level, facility, text in
    guard let context = RDKafkaCallbackContext.from(handle) else { return }
    if let onProduceError = context.onProduceError, let facility, let text, strcmp(facility, "MSGSET") == 0,
       let error = producedBatchError(String(cString: text)) {
        onProduceError(error)
    }
    let swiftLevel: Logger.Level = switch level {
    case ...3: .error
    case 4: .warning
    case 5: .notice
    case 6: .info
    default: .debug
    }
    context.logger.log(
        level: swiftLevel,
        "\(text.map { String(cString: $0) } ?? "")",
        metadata: ["librdkafka.facility": "\(facility.map { String(cString: $0) } ?? "")"]
    )
}

/// The broker's error in librdkafka 2.0's debug line about a failed
/// produce request: `... MessageSet with N message(s) (...) encountered
/// error: TEXT (actions ...)`.
func producedBatchError(_ line: String) -> String? {
    guard let start = line.range(of: "encountered error: "), let end = line.range(of: " (actions", range: start.upperBound..<line.endIndex) else {
        return nil
    }
    return String(line[start.upperBound..<end.lowerBound])
}

/// librdkafka's statistics JSON to swift-metrics; returning 0 lets librdkafka free the text.
private let statisticsCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = { handle, json, length, _ in
    guard let context = RDKafkaCallbackContext.from(handle), let json else { return 0 }
    context.statistics.report(UnsafeRawBufferPointer(start: json, count: length))
    return 0
}

/// Client-wide errors (all brokers down, failed authentication, fatal
/// idempotence errors): logged, then handed to the connection's hook.
private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = { handle, code, reason, _ in
    guard let context = RDKafkaCallbackContext.from(handle) else { return }
    let error = KafkaClientError(
        rd_kafka_resp_err_t(code),
        message: reason.map { String(cString: $0) },
        isFatal: rd_kafka_resp_err_t(code) == RD_KAFKA_RESP_ERR__FATAL
    )
    context.logger.warning("librdkafka: \(error)")
    context.onClientError?(error)
}

/// Group rebalances, on the consumer's poll thread.
let rebalanceCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = { handle, code, partitions, _ in
    guard let handle, let partitions, let context = RDKafkaCallbackContext.from(handle) else { return }
    context.onRebalance?(handle, code, partitions)
}

/// Results of asynchronous commits: failures are logged.
let offsetCommitCallback: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = { handle, code, offsets, _ in
    guard let context = RDKafkaCallbackContext.from(handle) else { return }
    if code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET {
        context.logger.warning("offset commit failed: \(KafkaClientError(code))")
    } else if let offsets, let error = RDKafkaTopicPartitionList.firstError(in: offsets) {
        context.logger.warning("offset commit failed: \(error)")
    }
}
