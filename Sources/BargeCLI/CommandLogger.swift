import Foundation
import Logging

/// The logger commands hand to Barge, on standard error: Barge's warnings
/// and worse. librdkafka's own log lines (every connection attempt and
/// retry) are left out, since whatever stops a command reaches its
/// `Error:` line anyway; its client-wide errors (`_TRANSPORT`,
/// `_ALL_BROKERS_DOWN`) are shown once per kind when `clientErrors` is
/// `.once` (a receiver that keeps waiting), never when `.hidden`.
/// `$BARGE_LOG_LEVEL` (trace ... critical) shows everything from that level.
func commandLogger(
    _ label: String, clientErrors: CommandLogHandler.ClientErrors = .hidden,
    environment: [String: String] = ProcessInfo.processInfo.environment
) -> Logger {
    let chosen = environment["BARGE_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) }
    let seen = CommandLogHandler.Seen()
    return Logger(label: label) { label in
        CommandLogHandler(stream: StreamLogHandler.standardError(label: label), level: chosen ?? .warning,
                          clientErrors: chosen == nil ? clientErrors : .all, seen: seen)
    }
}

/// Passes Barge's records to `stream` and filters librdkafka's.
struct CommandLogHandler: LogHandler {
    enum ClientErrors: Sendable {
        case hidden, once, all
    }

    /// The kinds of client-wide errors shown so far, shared by copies.
    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var kinds: Set<String> = []

        func insert(_ kind: String) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return kinds.insert(kind).inserted
        }
    }

    var stream: StreamLogHandler
    var logLevel: Logger.Level {
        get { stream.logLevel }
        set { stream.logLevel = newValue }
    }
    let clientErrors: ClientErrors
    let seen: Seen

    init(stream: StreamLogHandler, level: Logger.Level, clientErrors: ClientErrors, seen: Seen) {
        self.stream = stream
        self.clientErrors = clientErrors
        self.seen = seen
        self.stream.logLevel = level
    }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        let message = "\(event.message)"
        if event.metadata?["librdkafka.facility"] != nil {
            guard clientErrors == .all else { return }
        } else if message.hasPrefix("librdkafka: ") {
            switch clientErrors {
            case .hidden: return
            case .once:
                // "librdkafka: KafkaClientError.librdkafka _TRANSPORT (-195): ..." once per code.
                guard seen.insert(String(message.prefix { $0 != "(" })) else { return }
            case .all: break
            }
        }
        stream.log(event: event)
    }
}
