import Foundation
import Logging

/// Every message logged through `logger`, kept in memory, so a test can wait for the broker
/// to report a step instead of guessing how long it takes.
final class LogCapture: Sendable {
    private let entries = LockedMessages()

    /// A logger at `trace` level whose messages this capture keeps.
    var logger: Logger {
        Logger(label: "barge.test") { [entries] _ in Handler(entries: entries) }
    }

    /// The messages so far, in order.
    var messages: [String] { entries.all }

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

    private struct Handler: LogHandler {
        let entries: LockedMessages
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            entries.append(event.message.description)
        }
    }
}

/// Strings appended from any thread.
private final class LockedMessages: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []

    var all: [String] { lock.withLock { messages } }

    func append(_ message: String) {
        lock.withLock { messages.append(message) }
    }
}
