import Foundation
import Logging

/// Every message logged through `logger`, kept in memory with its level, so a
/// test can check what the broker said, or wait for it to report a step
/// instead of guessing how long it takes.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(level: Logger.Level, message: String, details: String)] = []

    /// A logger at `trace` level whose messages this capture keeps.
    var logger: Logger {
        Logger(label: "barge.test") { _ in Handler(capture: self) }
    }

    /// The messages so far, in order.
    var messages: [String] { lock.withLock { entries.map(\.message) } }

    /// The warnings so far, in order.
    var warnings: [String] {
        lock.withLock { entries.filter { $0.level == .warning }.map(\.message) }
    }

    /// The errors so far, in order, each followed by its metadata.
    var errors: [String] {
        lock.withLock { entries.filter { $0.level == .error }.map { $0.message + $0.details } }
    }

    /// Waits until a message equal to `message` was logged, checking every 10 ms; throws
    /// after `timeout`.
    func waitFor(_ message: String, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !messages.contains(message) {
            guard ContinuousClock.now < deadline else { throw NotLogged(message: message, timeout: timeout) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    struct NotLogged: Error, CustomStringConvertible {
        let message: String
        let timeout: Duration
        var description: String { "\"\(message)\" not logged within \(timeout)" }
    }

    fileprivate func record(_ level: Logger.Level, _ message: String, details: String) {
        lock.withLock { entries.append((level, message, details)) }
    }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
            let details = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            capture.record(event.level, event.message.description, details: details)
        }
    }
}
