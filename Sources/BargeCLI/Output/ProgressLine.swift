import Barge
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One line on standard error, redrawn four times a second while a
/// transfer runs: bytes, rate and, when the total is known, percentage and
/// ETA. Only when standard error is a terminal: otherwise the result lines
/// are the log and nothing is drawn.
final class ProgressLine: Sendable {
    private let task: Task<Void, Never>

    /// Starts drawing, or returns nil when standard error is not a terminal.
    /// `measure` returns the bytes done so far (nil: not known yet).
    init?(label: String, total: Int64?, measure: @escaping @Sendable () -> Int64?) {
        guard isatty(STDERR_FILENO) != 0 else { return nil }
        task = Task.detached {
            let started = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                guard !Task.isCancelled, let done = measure() else { continue }
                let line = Self.render(label: label, done: done, total: total, elapsed: ContinuousClock.now - started)
                FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            }
        }
    }

    /// Stops drawing and clears the line.
    func finish() async {
        task.cancel()
        await task.value
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func render(label: String, done: Int64, total: Int64?, elapsed: Duration) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        var parts = [label, bytes(done)]
        if let total, total > 0 {
            let shown = min(done, total)
            parts[1] = "\(bytes(shown)) / \(bytes(total))"
            parts.append("\(shown * 100 / total)%")
            parts.append("\(bytes(Int64(rate)))/s")
            if rate > 0 { parts.append("ETA \(clock(Double(total - shown) / rate))") }
        } else {
            parts.append("\(bytes(Int64(rate)))/s")
        }
        return parts.joined(separator: "  ")
    }

    /// `1.5 MiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : "\(String(format: "%.1f", value)) \(units[unit])"
    }

    /// `1:05` or `1:02:05`.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}

/// The newest count a progress hook reported, for a ``ProgressLine`` to
/// draw (the hook runs on the sending task, the line on its own).
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var latest: Int64?

    /// Records `count`.
    func update(_ count: Int64) {
        lock.withLock { latest = count }
    }

    /// The newest count; nil before the first.
    var value: Int64? {
        lock.withLock { latest }
    }
}

/// The newest byte count the consumer's progress hook reported for each
/// message being received, for the ``ProgressLine`` of that message.
final class ReceiveProgressBoard: @unchecked Sendable {
    private struct Key: Hashable {
        let topicPartition: KafkaTopicPartition
        let offset: Int64
    }

    private let lock = NSLock()
    private var received: [Key: Int64] = [:]

    /// Records `progress` (the hook's callback).
    func update(_ progress: BargeReceiveProgress) {
        let key = Key(topicPartition: progress.topicPartition, offset: progress.offset)
        lock.withLock { received[key] = progress.bytesReceived }
    }

    /// Bytes received of the message at `offset` of `topicPartition`; nil before the first report.
    func bytesReceived(_ topicPartition: KafkaTopicPartition, offset: Int64) -> Int64? {
        lock.withLock { received[Key(topicPartition: topicPartition, offset: offset)] }
    }

    /// Forgets the message at `offset` of `topicPartition` once it is written.
    func forget(_ topicPartition: KafkaTopicPartition, offset: Int64) {
        _ = lock.withLock { received.removeValue(forKey: Key(topicPartition: topicPartition, offset: offset)) }
    }
}
